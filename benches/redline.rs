//! The redline engine on long texts, in words per second.
//!
//!     cargo bench --bench redline                  # all cases, a few minutes
//!     cargo bench --bench redline -- unrelated     # one case (a criterion filter)
//!     REDLINE_BENCH_WRITE=DIR cargo bench --bench redline   # write the texts to DIR, no timing
//!
//! Cases (throughput counts the words of the old text, the way the engine counts them: a
//! Chinese character is a word):
//!
//! - `edited_20pct`: a 2,000-paragraph (~163,000-word) declaration-like text of numbered
//!   paragraphs, with 20% of its paragraphs edited (one to three word substitutions, insertions
//!   or deletions each);
//! - `edited_all`: the same text with every paragraph edited;
//! - `unrelated_100k`: two unrelated texts of 100,000 words each (same vocabulary, different
//!   seeds; unnumbered, so nothing anchors the alignment). The engine's per-block deadline
//!   must keep this to about a second;
//! - `cyrillic_20pct`, `chinese_20pct`: 500 paragraphs of Russian and of Chinese (written
//!   without spaces), 20% edited.
//!
//! The texts are generated here, deterministically (splitmix64, fixed seeds), by the same
//! algorithm and word lists as `bench/gen_texts.py`, which writes them as files for
//! `bench/redline.sh`: the two agree byte for byte (`REDLINE_BENCH_WRITE` above, then `cmp`).
//! Before timing, each case is run once and summarised on standard error (segments, words
//! changed, one run's wall time), so a degraded redline is seen, not only a fast one.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use decl::redline::{RedlineOptions, redline};

/// The word lists of one language. A "word" entry may hold several words ("The Parties").
struct Lang {
    subjects: &'static [&'static str],
    modals: &'static [&'static str],
    verbs: &'static [&'static str],
    adjectives: &'static [&'static str],
    nouns: &'static [&'static str],
    connectors: &'static [&'static str],
    /// Optional article before a noun phrase; empty for languages without one.
    article: &'static str,
    of: &'static str,
    conjunction: &'static str,
    comma: &'static str,
    full_stop: &'static str,
    /// What goes before each word: a space, or nothing (Chinese).
    space: &'static str,
}

const EN: Lang = Lang {
    subjects: &[
        "The Parties",
        "Member States",
        "The Conference",
        "Each delegation",
        "The Secretariat",
        "All States",
        "The signatories",
        "Governments",
        "The international community",
        "Regional organizations",
        "The Council",
        "Participating States",
        "The Assembly",
        "Each Party",
        "The Commission",
    ],
    modals: &[
        "shall",
        "should",
        "may",
        "will",
        "undertake to",
        "resolve to",
        "agree to",
        "are encouraged to",
        "commit to",
        "are invited to",
        "decide to",
        "intend to",
    ],
    verbs: &[
        "promote",
        "strengthen",
        "support",
        "ensure",
        "develop",
        "facilitate",
        "enhance",
        "implement",
        "consider",
        "review",
        "establish",
        "maintain",
        "protect",
        "respect",
        "encourage",
        "coordinate",
        "mobilize",
        "integrate",
        "monitor",
        "advance",
        "safeguard",
        "finance",
        "recognize",
        "reaffirm",
        "pursue",
        "improve",
        "expand",
        "assess",
        "prioritize",
        "uphold",
    ],
    adjectives: &[
        "sustainable",
        "effective",
        "national",
        "regional",
        "international",
        "inclusive",
        "equitable",
        "transparent",
        "adequate",
        "coherent",
        "voluntary",
        "technical",
        "financial",
        "legal",
        "institutional",
        "comprehensive",
        "urgent",
        "appropriate",
        "collective",
        "mutual",
        "local",
        "global",
        "timely",
        "public",
        "private",
        "independent",
        "long-term",
        "accessible",
        "responsible",
        "integrated",
        "relevant",
        "existing",
        "additional",
        "specific",
        "common",
    ],
    nouns: &[
        "cooperation",
        "development",
        "capacity",
        "assistance",
        "resources",
        "measures",
        "commitments",
        "obligations",
        "institutions",
        "frameworks",
        "mechanisms",
        "partnerships",
        "policies",
        "strategies",
        "programmes",
        "standards",
        "principles",
        "rights",
        "communities",
        "stakeholders",
        "agreements",
        "objectives",
        "priorities",
        "information",
        "data",
        "research",
        "technology",
        "innovation",
        "education",
        "health",
        "security",
        "stability",
        "governance",
        "accountability",
        "participation",
        "consultation",
        "dialogue",
        "negotiations",
        "implementation",
        "monitoring",
        "reporting",
        "evaluation",
        "investment",
        "finance",
        "trade",
        "infrastructure",
        "energy",
        "water",
        "food",
        "climate",
        "environment",
        "biodiversity",
        "oceans",
        "migration",
        "women",
        "youth",
        "children",
        "persons",
        "populations",
        "regions",
        "countries",
        "territories",
        "authorities",
        "experts",
        "observers",
        "sectors",
        "procedures",
        "guidelines",
        "reports",
        "recommendations",
        "decisions",
        "resolutions",
        "provisions",
        "instruments",
        "conventions",
        "protocols",
    ],
    connectors: &[
        "in accordance with",
        "with a view to",
        "taking into account",
        "in cooperation with",
        "through",
        "for",
        "including",
        "in particular",
        "consistent with",
        "on the basis of",
        "in support of",
        "with respect to",
        "by means of",
        "in the context of",
        "without prejudice to",
    ],
    article: "the",
    of: "of",
    conjunction: "and",
    comma: ",",
    full_stop: ".",
    space: " ",
};

const RU: Lang = Lang {
    subjects: &[
        "Стороны",
        "Государства-члены",
        "Конференция",
        "Каждая делегация",
        "Секретариат",
        "Все государства",
        "Подписавшие стороны",
        "Правительства",
        "Международное сообщество",
        "Региональные организации",
        "Совет",
        "Государства-участники",
        "Ассамблея",
        "Каждая Сторона",
        "Комиссия",
    ],
    modals: &[
        "обязуются",
        "должны",
        "могут",
        "будут",
        "намерены",
        "решают",
        "соглашаются",
        "призваны",
        "стремятся",
        "предлагают",
    ],
    verbs: &[
        "поощрять",
        "укреплять",
        "поддерживать",
        "обеспечивать",
        "развивать",
        "содействовать",
        "расширять",
        "осуществлять",
        "рассматривать",
        "пересматривать",
        "создавать",
        "сохранять",
        "защищать",
        "уважать",
        "координировать",
        "мобилизовать",
        "интегрировать",
        "отслеживать",
        "продвигать",
        "финансировать",
        "признавать",
        "подтверждать",
        "совершенствовать",
        "оценивать",
        "соблюдать",
    ],
    adjectives: &[
        "устойчивое",
        "эффективное",
        "национальное",
        "региональное",
        "международное",
        "инклюзивное",
        "справедливое",
        "прозрачное",
        "надлежащее",
        "согласованное",
        "добровольное",
        "техническое",
        "финансовое",
        "правовое",
        "институциональное",
        "всеобъемлющее",
        "срочное",
        "коллективное",
        "взаимное",
        "местное",
        "глобальное",
        "своевременное",
        "общественное",
        "независимое",
        "долгосрочное",
    ],
    nouns: &[
        "сотрудничество",
        "развитие",
        "потенциал",
        "помощь",
        "ресурсы",
        "меры",
        "обязательства",
        "учреждения",
        "рамки",
        "механизмы",
        "партнёрства",
        "политику",
        "стратегии",
        "программы",
        "стандарты",
        "принципы",
        "права",
        "общины",
        "соглашения",
        "цели",
        "приоритеты",
        "информацию",
        "данные",
        "исследования",
        "технологии",
        "инновации",
        "образование",
        "здравоохранение",
        "безопасность",
        "стабильность",
        "управление",
        "подотчётность",
        "участие",
        "консультации",
        "диалог",
        "переговоры",
        "осуществление",
        "мониторинг",
        "отчётность",
        "оценку",
        "инвестиции",
        "финансирование",
        "торговлю",
        "инфраструктуру",
        "энергетику",
        "водные ресурсы",
        "продовольствие",
        "климат",
        "окружающую среду",
        "биоразнообразие",
        "океаны",
        "миграцию",
        "женщин",
        "молодёжь",
        "детей",
        "регионы",
        "страны",
        "органы власти",
        "экспертов",
        "секторы",
        "процедуры",
        "руководства",
        "доклады",
        "рекомендации",
        "решения",
        "резолюции",
        "положения",
        "конвенции",
    ],
    connectors: &[
        "в соответствии с",
        "в целях",
        "с учётом",
        "в сотрудничестве с",
        "посредством",
        "для",
        "включая",
        "в частности",
        "на основе",
        "в поддержку",
        "в отношении",
        "в контексте",
        "без ущерба для",
    ],
    article: "",
    of: "в области",
    conjunction: "и",
    comma: ",",
    full_stop: ".",
    space: " ",
};

const ZH: Lang = Lang {
    subjects: &[
        "各缔约方",
        "各成员国",
        "大会",
        "各代表团",
        "秘书处",
        "所有国家",
        "各签署方",
        "各国政府",
        "国际社会",
        "区域组织",
        "理事会",
        "各参与国",
        "委员会",
    ],
    modals: &[
        "应", "应当", "可", "将", "承诺", "决心", "同意", "鼓励", "决定", "打算",
    ],
    verbs: &[
        "促进",
        "加强",
        "支持",
        "确保",
        "发展",
        "便利",
        "增进",
        "实施",
        "审议",
        "审查",
        "建立",
        "维持",
        "保护",
        "尊重",
        "鼓励",
        "协调",
        "调动",
        "整合",
        "监测",
        "推进",
        "维护",
        "资助",
        "承认",
        "重申",
        "改善",
        "扩大",
        "评估",
        "优先考虑",
    ],
    adjectives: &[
        "可持续的",
        "有效的",
        "国家",
        "区域",
        "国际",
        "包容性的",
        "公平的",
        "透明的",
        "充足的",
        "一致的",
        "自愿的",
        "技术",
        "财政",
        "法律",
        "体制",
        "全面的",
        "紧迫的",
        "适当的",
        "集体的",
        "相互的",
        "地方",
        "全球",
        "及时的",
        "公共",
        "长期的",
    ],
    nouns: &[
        "合作",
        "发展",
        "能力",
        "援助",
        "资源",
        "措施",
        "承诺",
        "义务",
        "机构",
        "框架",
        "机制",
        "伙伴关系",
        "政策",
        "战略",
        "方案",
        "标准",
        "原则",
        "权利",
        "社区",
        "利益攸关方",
        "协定",
        "目标",
        "优先事项",
        "信息",
        "数据",
        "研究",
        "技术",
        "创新",
        "教育",
        "卫生",
        "安全",
        "稳定",
        "治理",
        "问责",
        "参与",
        "磋商",
        "对话",
        "谈判",
        "执行",
        "监测",
        "报告",
        "评价",
        "投资",
        "融资",
        "贸易",
        "基础设施",
        "能源",
        "水",
        "粮食",
        "气候",
        "环境",
        "生物多样性",
        "海洋",
        "移民",
        "妇女",
        "青年",
        "儿童",
        "区域",
        "国家",
        "领土",
        "当局",
        "专家",
        "部门",
        "程序",
        "准则",
        "建议",
        "决定",
        "决议",
        "条款",
        "文书",
        "公约",
    ],
    connectors: &[
        "根据",
        "以期",
        "考虑到",
        "与",
        "通过",
        "为了",
        "包括",
        "特别是",
        "符合",
        "基于",
        "支持",
        "关于",
        "在",
        "不妨碍",
    ],
    article: "",
    of: "的",
    conjunction: "和",
    comma: "，",
    full_stop: "。",
    space: "",
};

/// splitmix64: tiny, seeded, and the same stream as `bench/gen_texts.py`.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

/// A token of generated text: its text and whether it is a word (else punctuation).
type Token = (String, bool);

const PARAGRAPH_MIN_WORDS: usize = 45;
const PARAGRAPH_EXTRA_WORDS: usize = 50;

/// Words in a word token, the way the redline engine counts them (a CJK character is one).
fn word_units(lang: &Lang, text: &str) -> usize {
    if lang.space.is_empty() && !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.chars().count();
    }
    text.split([' ', '-']).count()
}

fn count_words(lang: &Lang, tokens: &[Token]) -> usize {
    tokens
        .iter()
        .filter(|(_, is_word)| *is_word)
        .map(|(text, _)| word_units(lang, text))
        .sum()
}

fn word(text: &str) -> Token {
    (text.to_owned(), true)
}

fn mark(text: &str) -> Token {
    (text.to_owned(), false)
}

fn noun_phrase(rng: &mut SplitMix64, lang: &Lang, out: &mut Vec<Token>) {
    if !lang.article.is_empty() && rng.below(2) == 0 {
        out.push(word(lang.article));
    }
    if rng.below(2) == 0 {
        out.push(word(rng.pick(lang.adjectives)));
    }
    out.push(word(rng.pick(lang.nouns)));
    if rng.below(3) == 0 {
        out.push(word(lang.of));
        if !lang.article.is_empty() && rng.below(2) == 0 {
            out.push(word(lang.article));
        }
        out.push(word(rng.pick(lang.nouns)));
    }
}

fn sentence(rng: &mut SplitMix64, lang: &Lang, out: &mut Vec<Token>) {
    out.push(word(rng.pick(lang.subjects)));
    out.push(word(rng.pick(lang.modals)));
    out.push(word(rng.pick(lang.verbs)));
    noun_phrase(rng, lang, out);
    for _ in 0..1 + rng.below(4) {
        if rng.below(4) == 0 {
            out.push(mark(lang.comma));
        }
        out.push(word(rng.pick(lang.connectors)));
        noun_phrase(rng, lang, out);
    }
    if rng.below(3) == 0 {
        out.push(mark(lang.comma));
        out.push(word(lang.conjunction));
        out.push(word(rng.pick(lang.verbs)));
        noun_phrase(rng, lang, out);
    }
    out.push(mark(lang.full_stop));
}

/// One paragraph, numbered ("12. ...") when `number` is given.
fn paragraph(rng: &mut SplitMix64, lang: &Lang, number: Option<usize>) -> Vec<Token> {
    let mut tokens = match number {
        Some(number) => vec![word(&number.to_string()), mark(".")],
        None => Vec::new(),
    };
    let target = PARAGRAPH_MIN_WORDS + rng.below(PARAGRAPH_EXTRA_WORDS);
    while count_words(lang, &tokens) < target {
        sentence(rng, lang, &mut tokens);
    }
    tokens
}

fn join(lang: &Lang, tokens: &[Token]) -> String {
    let mut text = String::new();
    for (index, (token, is_word)) in tokens.iter().enumerate() {
        if index > 0 && *is_word {
            text.push_str(lang.space);
        }
        text.push_str(token);
    }
    text
}

/// One to three substitutions, insertions or deletions of words (never the number).
fn edit_paragraph(rng: &mut SplitMix64, lang: &Lang, tokens: &[Token]) -> Vec<Token> {
    let mut tokens = tokens.to_vec();
    let pool: Vec<&'static str> = [lang.verbs, lang.adjectives, lang.nouns].concat();
    for _ in 0..1 + rng.below(3) {
        let positions: Vec<usize> = (2..tokens.len()).filter(|&i| tokens[i].1).collect();
        if positions.is_empty() {
            break;
        }
        let at = positions[rng.below(positions.len())];
        match rng.below(3) {
            0 => tokens[at] = word(rng.pick(&pool)),
            1 => {
                for _ in 0..1 + rng.below(3) {
                    tokens.insert(at, word(rng.pick(&pool)));
                }
            }
            _ => {
                let mut n = 1 + rng.below(3);
                while n > 0 && at < tokens.len() && tokens[at].1 {
                    tokens.remove(at);
                    n -= 1;
                }
            }
        }
    }
    tokens
}

fn text_of(lang: &Lang, paragraphs: &[Vec<Token>]) -> String {
    let joined: Vec<String> = paragraphs.iter().map(|tokens| join(lang, tokens)).collect();
    joined.join("\n\n") + "\n"
}

/// `n_paragraphs` numbered paragraphs, `percent`% of them edited: (old, new, old's words).
fn edited_pair(
    lang: &Lang,
    n_paragraphs: usize,
    percent: usize,
    seed: u64,
) -> (String, String, usize) {
    let mut rng = SplitMix64::new(seed);
    let old: Vec<Vec<Token>> = (1..=n_paragraphs)
        .map(|number| paragraph(&mut rng, lang, Some(number)))
        .collect();
    let n_edited = n_paragraphs * percent / 100;
    let mut order: Vec<usize> = (0..n_paragraphs).collect();
    for i in 0..n_edited {
        let j = i + rng.below(n_paragraphs - i);
        order.swap(i, j);
    }
    let mut edited = vec![false; n_paragraphs];
    for &index in &order[..n_edited] {
        edited[index] = true;
    }
    let new: Vec<Vec<Token>> = old
        .iter()
        .zip(&edited)
        .map(|(tokens, &is_edited)| {
            if is_edited {
                edit_paragraph(&mut rng, lang, tokens)
            } else {
                tokens.clone()
            }
        })
        .collect();
    let words = old.iter().map(|tokens| count_words(lang, tokens)).sum();
    (text_of(lang, &old), text_of(lang, &new), words)
}

/// Unnumbered paragraphs until at least `n_words` words: (text, words).
fn unrelated_text(lang: &Lang, n_words: usize, seed: u64) -> (String, usize) {
    let mut rng = SplitMix64::new(seed);
    let (mut paragraphs, mut words) = (Vec::new(), 0);
    while words < n_words {
        let tokens = paragraph(&mut rng, lang, None);
        words += count_words(lang, &tokens);
        paragraphs.push(tokens);
    }
    (text_of(lang, &paragraphs), words)
}

/// One benchmark: two texts and the old text's word count.
struct Case {
    name: &'static str,
    old: String,
    new: String,
    words: usize,
}

fn cases() -> Vec<Case> {
    let case = |name, (old, new, words)| Case {
        name,
        old,
        new,
        words,
    };
    let (a, a_words) = unrelated_text(&EN, 100_000, 1);
    let (b, _) = unrelated_text(&EN, 100_000, 2);
    vec![
        case("edited_20pct", edited_pair(&EN, 2_000, 20, 1)),
        case("edited_all", edited_pair(&EN, 2_000, 100, 1)),
        case("unrelated_100k", (a, b, a_words)),
        case("cyrillic_20pct", edited_pair(&RU, 500, 20, 1)),
        case("chinese_20pct", edited_pair(&ZH, 500, 20, 1)),
    ]
}

/// Writes every case's texts to `dir` as NAME.old.txt and NAME.new.txt.
fn write_texts(dir: &std::path::Path, cases: &[Case]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for case in cases {
        std::fs::write(dir.join(format!("{}.old.txt", case.name)), &case.old)?;
        std::fs::write(dir.join(format!("{}.new.txt", case.name)), &case.new)?;
        eprintln!("{}: {} words", case.name, case.words);
    }
    Ok(())
}

fn bench_redline(criterion: &mut Criterion, cases: &[Case]) {
    let options = RedlineOptions::default();
    for case in cases {
        let started = Instant::now();
        let result = redline(&case.old, &case.new, &options);
        let elapsed = started.elapsed();
        let stats = result.stats();
        eprintln!(
            "{}: {} words, {} segments, {} changes, {} words deleted, {} inserted; one run {:.0} ms",
            case.name,
            case.words,
            result.segments.len(),
            stats.changes,
            stats.words_deleted,
            stats.words_inserted,
            elapsed.as_secs_f64() * 1e3
        );
    }

    let mut group = criterion.benchmark_group("redline");
    // Each run takes a tenth of a second to a second: a fixed number of runs per sample keeps
    // the whole benchmark to a few minutes.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for case in cases {
        group.throughput(Throughput::Elements(case.words as u64));
        group.bench_function(case.name, |bencher| {
            bencher.iter(|| redline(black_box(&case.old), black_box(&case.new), &options));
        });
    }
    group.finish();
}

fn main() {
    let cases = cases();
    if let Some(dir) = std::env::var_os("REDLINE_BENCH_WRITE") {
        if let Err(error) = write_texts(std::path::Path::new(&dir), &cases) {
            eprintln!("cannot write the texts: {error}");
            std::process::exit(1);
        }
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    bench_redline(&mut criterion, &cases);
    criterion.final_summary();
}
