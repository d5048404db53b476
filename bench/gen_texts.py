#!/usr/bin/env python3
"""Seeded, reproducible declaration-like texts for the redline benchmarks.

    python3 bench/gen_texts.py edited   OUT_DIR [--paragraphs 2000] [--percent 20] [--seed 1]
    python3 bench/gen_texts.py unrelated OUT_DIR [--words 100000] [--seed 1]

`edited` writes OUT_DIR/old.txt and OUT_DIR/new.txt: PARAGRAPHS numbered paragraphs (about 80
words each, so 2,000 paragraphs are about 160,000 words), of which PERCENT percent are edited
in NEW with one to three word substitutions, insertions or deletions each.

`unrelated` writes OUT_DIR/a.txt and OUT_DIR/b.txt: two texts of at least WORDS words each,
drawn with seeds SEED and SEED + 1, that share vocabulary but no wording, and are not numbered,
so that nothing anchors an alignment (the pathological pair).

`--lang en|ru|zh` picks the word lists (English by default; Russian for Cyrillic, Chinese,
written without spaces).

This is a line-for-line port of the generator in benches/redline.rs (same splitmix64 stream,
same word lists, same choices), so the files are byte for byte the texts the criterion
benchmark measures: `REDLINE_BENCH_WRITE=DIR cargo bench --bench redline` writes its own texts
to DIR for a `cmp`.
"""

import argparse
import os
import sys

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def pick(self, items):
        return items[self.below(len(items))]


EN = dict(
    subjects=["The Parties", "Member States", "The Conference", "Each delegation",
              "The Secretariat", "All States", "The signatories", "Governments",
              "The international community", "Regional organizations", "The Council",
              "Participating States", "The Assembly", "Each Party", "The Commission"],
    modals=["shall", "should", "may", "will", "undertake to", "resolve to", "agree to",
            "are encouraged to", "commit to", "are invited to", "decide to", "intend to"],
    verbs=["promote", "strengthen", "support", "ensure", "develop", "facilitate", "enhance",
           "implement", "consider", "review", "establish", "maintain", "protect", "respect",
           "encourage", "coordinate", "mobilize", "integrate", "monitor", "advance",
           "safeguard", "finance", "recognize", "reaffirm", "pursue", "improve", "expand",
           "assess", "prioritize", "uphold"],
    adjectives=["sustainable", "effective", "national", "regional", "international",
                "inclusive", "equitable", "transparent", "adequate", "coherent", "voluntary",
                "technical", "financial", "legal", "institutional", "comprehensive", "urgent",
                "appropriate", "collective", "mutual", "local", "global", "timely", "public",
                "private", "independent", "long-term", "accessible", "responsible",
                "integrated", "relevant", "existing", "additional", "specific", "common"],
    nouns=["cooperation", "development", "capacity", "assistance", "resources", "measures",
           "commitments", "obligations", "institutions", "frameworks", "mechanisms",
           "partnerships", "policies", "strategies", "programmes", "standards", "principles",
           "rights", "communities", "stakeholders", "agreements", "objectives", "priorities",
           "information", "data", "research", "technology", "innovation", "education",
           "health", "security", "stability", "governance", "accountability", "participation",
           "consultation", "dialogue", "negotiations", "implementation", "monitoring",
           "reporting", "evaluation", "investment", "finance", "trade", "infrastructure",
           "energy", "water", "food", "climate", "environment", "biodiversity", "oceans",
           "migration", "women", "youth", "children", "persons", "populations", "regions",
           "countries", "territories", "authorities", "experts", "observers", "sectors",
           "procedures", "guidelines", "reports", "recommendations", "decisions",
           "resolutions", "provisions", "instruments", "conventions", "protocols"],
    connectors=["in accordance with", "with a view to", "taking into account", "in cooperation with",
                "through", "for", "including", "in particular", "consistent with",
                "on the basis of", "in support of", "with respect to", "by means of",
                "in the context of", "without prejudice to"],
    article="the",
    of="of",
    conjunction="and",
    comma=",",
    full_stop=".",
    space=" ",
)

RU = dict(
    subjects=["Стороны", "Государства-члены", "Конференция", "Каждая делегация", "Секретариат",
              "Все государства", "Подписавшие стороны", "Правительства",
              "Международное сообщество", "Региональные организации", "Совет",
              "Государства-участники", "Ассамблея", "Каждая Сторона", "Комиссия"],
    modals=["обязуются", "должны", "могут", "будут", "намерены", "решают", "соглашаются",
            "призваны", "стремятся", "предлагают"],
    verbs=["поощрять", "укреплять", "поддерживать", "обеспечивать", "развивать", "содействовать",
           "расширять", "осуществлять", "рассматривать", "пересматривать", "создавать",
           "сохранять", "защищать", "уважать", "координировать", "мобилизовать",
           "интегрировать", "отслеживать", "продвигать", "финансировать", "признавать",
           "подтверждать", "совершенствовать", "оценивать", "соблюдать"],
    adjectives=["устойчивое", "эффективное", "национальное", "региональное", "международное",
                "инклюзивное", "справедливое", "прозрачное", "надлежащее", "согласованное",
                "добровольное", "техническое", "финансовое", "правовое", "институциональное",
                "всеобъемлющее", "срочное", "коллективное", "взаимное", "местное",
                "глобальное", "своевременное", "общественное", "независимое", "долгосрочное"],
    nouns=["сотрудничество", "развитие", "потенциал", "помощь", "ресурсы", "меры",
           "обязательства", "учреждения", "рамки", "механизмы", "партнёрства", "политику",
           "стратегии", "программы", "стандарты", "принципы", "права", "общины",
           "соглашения", "цели", "приоритеты", "информацию", "данные", "исследования",
           "технологии", "инновации", "образование", "здравоохранение", "безопасность",
           "стабильность", "управление", "подотчётность", "участие", "консультации", "диалог",
           "переговоры", "осуществление", "мониторинг", "отчётность", "оценку",
           "инвестиции", "финансирование", "торговлю", "инфраструктуру", "энергетику",
           "водные ресурсы", "продовольствие", "климат", "окружающую среду",
           "биоразнообразие", "океаны", "миграцию", "женщин", "молодёжь", "детей", "регионы",
           "страны", "органы власти", "экспертов", "секторы", "процедуры", "руководства",
           "доклады", "рекомендации", "решения", "резолюции", "положения", "конвенции"],
    connectors=["в соответствии с", "в целях", "с учётом", "в сотрудничестве с", "посредством",
                "для", "включая", "в частности", "на основе", "в поддержку", "в отношении",
                "в контексте", "без ущерба для"],
    article="",
    of="в области",
    conjunction="и",
    comma=",",
    full_stop=".",
    space=" ",
)

ZH = dict(
    subjects=["各缔约方", "各成员国", "大会", "各代表团", "秘书处", "所有国家", "各签署方", "各国政府",
              "国际社会", "区域组织", "理事会", "各参与国", "委员会"],
    modals=["应", "应当", "可", "将", "承诺", "决心", "同意", "鼓励", "决定", "打算"],
    verbs=["促进", "加强", "支持", "确保", "发展", "便利", "增进", "实施", "审议", "审查", "建立",
           "维持", "保护", "尊重", "鼓励", "协调", "调动", "整合", "监测", "推进", "维护", "资助",
           "承认", "重申", "改善", "扩大", "评估", "优先考虑"],
    adjectives=["可持续的", "有效的", "国家", "区域", "国际", "包容性的", "公平的", "透明的",
                "充足的", "一致的", "自愿的", "技术", "财政", "法律", "体制", "全面的", "紧迫的",
                "适当的", "集体的", "相互的", "地方", "全球", "及时的", "公共", "长期的"],
    nouns=["合作", "发展", "能力", "援助", "资源", "措施", "承诺", "义务", "机构", "框架", "机制",
           "伙伴关系", "政策", "战略", "方案", "标准", "原则", "权利", "社区", "利益攸关方", "协定",
           "目标", "优先事项", "信息", "数据", "研究", "技术", "创新", "教育", "卫生", "安全",
           "稳定", "治理", "问责", "参与", "磋商", "对话", "谈判", "执行", "监测", "报告", "评价",
           "投资", "融资", "贸易", "基础设施", "能源", "水", "粮食", "气候", "环境",
           "生物多样性", "海洋", "移民", "妇女", "青年", "儿童", "区域", "国家", "领土", "当局",
           "专家", "部门", "程序", "准则", "建议", "决定", "决议", "条款", "文书", "公约"],
    connectors=["根据", "以期", "考虑到", "与", "通过", "为了", "包括", "特别是", "符合", "基于",
                "支持", "关于", "在", "不妨碍"],
    article="",
    of="的",
    conjunction="和",
    comma="，",
    full_stop="。",
    space="",
)

LANGS = {"en": EN, "ru": RU, "zh": ZH}

# A token is (text, is_word); "words" may hold spaces ("The Parties"), and count as several.
PARAGRAPH_MIN_WORDS = 45
PARAGRAPH_EXTRA_WORDS = 50


def word_units(lang, text):
    """Words in a word token, the way the redline engine counts them (a CJK character is one)."""
    if lang["space"] == "" and not text.isdigit():
        return len(text)
    return len(text.replace("-", " ").split(" "))


def noun_phrase(rng, lang, out):
    if lang["article"] and rng.below(2) == 0:
        out.append((lang["article"], True))
    if rng.below(2) == 0:
        out.append((rng.pick(lang["adjectives"]), True))
    out.append((rng.pick(lang["nouns"]), True))
    if rng.below(3) == 0:
        out.append((lang["of"], True))
        if lang["article"] and rng.below(2) == 0:
            out.append((lang["article"], True))
        out.append((rng.pick(lang["nouns"]), True))


def sentence(rng, lang, out):
    out.append((rng.pick(lang["subjects"]), True))
    out.append((rng.pick(lang["modals"]), True))
    out.append((rng.pick(lang["verbs"]), True))
    noun_phrase(rng, lang, out)
    for _ in range(1 + rng.below(4)):
        if rng.below(4) == 0:
            out.append((lang["comma"], False))
        out.append((rng.pick(lang["connectors"]), True))
        noun_phrase(rng, lang, out)
    if rng.below(3) == 0:
        out.append((lang["comma"], False))
        out.append((lang["conjunction"], True))
        out.append((rng.pick(lang["verbs"]), True))
        noun_phrase(rng, lang, out)
    out.append((lang["full_stop"], False))


def paragraph(rng, lang, number):
    """One paragraph as a list of tokens, numbered ("12. ...") unless `number` is None."""
    tokens = [] if number is None else [(str(number), True), (".", False)]
    target = PARAGRAPH_MIN_WORDS + rng.below(PARAGRAPH_EXTRA_WORDS)
    while count_words(lang, tokens) < target:
        sentence(rng, lang, tokens)
    return tokens


def count_words(lang, tokens):
    return sum(word_units(lang, text) for text, is_word in tokens if is_word)


def join(lang, tokens):
    parts = []
    for index, (text, is_word) in enumerate(tokens):
        if index > 0 and is_word:
            parts.append(lang["space"])
        parts.append(text)
    return "".join(parts)


def edit_paragraph(rng, lang, tokens):
    """One to three substitutions, insertions or deletions of words (never the number)."""
    tokens = list(tokens)
    pool = lang["verbs"] + lang["adjectives"] + lang["nouns"]
    for _ in range(1 + rng.below(3)):
        positions = [i for i, (_, is_word) in enumerate(tokens) if is_word and i >= 2]
        if not positions:
            break
        at = positions[rng.below(len(positions))]
        kind = rng.below(3)
        if kind == 0:
            tokens[at] = (rng.pick(pool), True)
        elif kind == 1:
            for _ in range(1 + rng.below(3)):
                tokens.insert(at, (rng.pick(pool), True))
        else:
            n = 1 + rng.below(3)
            while n > 0 and at < len(tokens) and tokens[at][1]:
                del tokens[at]
                n -= 1
    return tokens


def text_of(lang, paragraphs):
    return "\n\n".join(join(lang, tokens) for tokens in paragraphs) + "\n"


def edited_pair(lang, n_paragraphs, percent, seed):
    """(old, new, old_words, n_edited)."""
    rng = SplitMix64(seed)
    old = [paragraph(rng, lang, number) for number in range(1, n_paragraphs + 1)]
    n_edited = n_paragraphs * percent // 100
    order = list(range(n_paragraphs))
    for i in range(n_edited):
        j = i + rng.below(n_paragraphs - i)
        order[i], order[j] = order[j], order[i]
    edited = set(order[:n_edited])
    new = [edit_paragraph(rng, lang, tokens) if i in edited else tokens
           for i, tokens in enumerate(old)]
    words = sum(count_words(lang, tokens) for tokens in old)
    return text_of(lang, old), text_of(lang, new), words, n_edited


def unrelated_text(lang, n_words, seed):
    """(text, words): unnumbered paragraphs until at least n_words words."""
    rng = SplitMix64(seed)
    paragraphs, words = [], 0
    while words < n_words:
        tokens = paragraph(rng, lang, None)
        words += count_words(lang, tokens)
        paragraphs.append(tokens)
    return text_of(lang, paragraphs), words


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["edited", "unrelated"])
    parser.add_argument("out_dir")
    parser.add_argument("--paragraphs", type=int, default=2000)
    parser.add_argument("--percent", type=int, default=20)
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lang", choices=sorted(LANGS), default="en")
    args = parser.parse_args()
    lang = LANGS[args.lang]
    os.makedirs(args.out_dir, exist_ok=True)

    def write(name, text):
        with open(os.path.join(args.out_dir, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)

    if args.kind == "edited":
        old, new, words, n_edited = edited_pair(lang, args.paragraphs, args.percent, args.seed)
        write("old.txt", old)
        write("new.txt", new)
        print(f"{args.out_dir}/old.txt, new.txt: {args.paragraphs} paragraphs, {words} words, "
              f"{n_edited} paragraphs edited", file=sys.stderr)
    else:
        a, a_words = unrelated_text(lang, args.words, args.seed)
        b, b_words = unrelated_text(lang, args.words, args.seed + 1)
        write("a.txt", a)
        write("b.txt", b)
        print(f"{args.out_dir}/a.txt: {a_words} words, b.txt: {b_words} words", file=sys.stderr)


if __name__ == "__main__":
    main()
