//! Back-ends: model values and redlines in, text out. No I/O: the command decides where the
//! output goes.

pub mod akn;
pub mod compile;
pub mod docx;
pub mod docx_redline;
pub mod emphasis;
pub mod export;
pub mod inline;
pub mod pdf;
pub mod redline_doc;
pub mod redline_text;
pub mod table;
pub mod templates;
pub mod terminal;
pub mod text;
