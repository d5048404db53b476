//! The output handle every command writes to: stdout, buffered, with the colour decision made
//! once.

use std::io::{self, IsTerminal, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub struct Ui {
    out: io::BufWriter<io::Stdout>,
    terminal: bool,
    color: bool,
    width: usize,
}

impl Ui {
    pub fn new(choice: ColorChoice) -> Self {
        let stdout = io::stdout();
        let terminal = stdout.is_terminal();
        // https://no-color.org: any non-empty NO_COLOR turns colour off unless asked for.
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        let width = if terminal {
            textwrap::termwidth().clamp(40, 100)
        } else {
            80
        };
        Ui {
            out: io::BufWriter::new(stdout),
            terminal,
            color,
            width,
        }
    }

    /// Whether to use escape sequences for colour and italics.
    pub fn color(&self) -> bool {
        self.color
    }

    /// Whether standard output is a terminal (binary output would garble it).
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn text_style(&self) -> crate::render::text::TextStyle {
        crate::render::text::TextStyle {
            width: self.width,
            ansi: self.color,
        }
    }

    /// Writes text, with control characters and bidi overrides from untrusted wording made
    /// visible (see `render::terminal`); decl's own colours pass when colour is on.
    pub fn write(&mut self, text: &str) -> io::Result<()> {
        let safe = crate::render::terminal::terminal_safe(text, self.color);
        self.out.write_all(safe.as_bytes())
    }

    pub fn write_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    pub fn line(&mut self, text: &str) -> io::Result<()> {
        self.write(text)?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) {
        // A closed pipe (`decl show | head`) is reported by the write that hit it.
        let _ = self.out.flush();
    }
}
