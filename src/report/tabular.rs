//! [`grid`], the one way every command (`run`, `compare`, `erlang`, `staff`, `sweep`) draws a
//! table: laid out by comfy-table, names are never cut; given a terminal width, long cells
//! wrap to fit it.

use comfy_table::{
    CellAlignment, ColumnConstraint, ContentArrangement, LineStyle, Row, TableStyle, Width,
};

/// How a column of a [`grid`] is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left-aligned: names and labels.
    Left,
    /// Right-aligned: numbers, so that their digits line up.
    Right,
    /// A one-character mark (`*`, `✗`) that belongs to the column before it: no padding of
    /// its own on the left, so it sits close to that column's value, and an empty header.
    Mark,
}

/// Rules above and below the header and at the bottom; no vertical rules, none between rows.
const STYLE: TableStyle = TableStyle::new()
    .top_border(LineStyle::none().fill('─').junction('─'))
    .header_separator(LineStyle::none().fill('─').junction('─'))
    .bottom_border(LineStyle::none().fill('─').junction('─'));

/// The one way ccsim draws a table: `columns` (header text and alignment), then `rows` of
/// cells (a row may be shorter than the header: a section title), in the house layout (rules
/// above and below the header and at the bottom, no vertical rules), ending in a newline.
///
/// Without a width (files, pipes, tests) nothing wraps and every line is as long as it needs
/// to be; with one (a terminal), long cells wrap at spaces to fit it. Nothing is ever cut
/// or replaced by `…`.
pub fn grid<S: Into<String>>(
    columns: impl IntoIterator<Item = (S, Align)>,
    rows: impl IntoIterator<Item = Vec<String>>,
    width: Option<u16>,
) -> String {
    let columns: Vec<(String, Align)> = columns.into_iter().map(|(h, a)| (h.into(), a)).collect();
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
    if width.is_some() || rows.len() <= BLOCK_ROWS {
        return grid_with(columns, rows, width, None);
    }
    blocked_grid(columns, rows)
}

/// Rows drawn at once by [`grid`] without a width: a longer table (a year has 17,520
/// interval rows) is drawn in blocks, because the table crate holds several copies of every
/// cell while it lays a table out (40 MB for that year).
const BLOCK_ROWS: usize = 2_048;

/// [`grid`] without a width, for more than [`BLOCK_ROWS`] rows: every block is laid out with
/// each column at least as wide as its widest cell in the whole table, so the blocks stitch
/// into the very lines one table would have (the top rule and header come from the first
/// block, the bottom rule from the last). Falls back to one table if a block does not have
/// one line per row.
fn blocked_grid(columns: Vec<(String, Align)>, rows: Vec<Vec<String>>) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut widest: Vec<usize> = columns.iter().map(|(h, _)| h.width()).collect();
    for row in &rows {
        for (w, cell) in widest.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    if rows.iter().flatten().any(|c| c.contains('\n'))
        || columns.iter().any(|(h, _)| h.contains('\n'))
    {
        return grid_with(columns, rows, None, None);
    }
    let blocks = rows.len().div_ceil(BLOCK_ROWS);
    let mut out = String::new();
    let mut rows = rows.into_iter();
    for b in 0..blocks {
        let block: Vec<Vec<String>> = rows.by_ref().take(BLOCK_ROWS).collect();
        let n = block.len();
        let text = grid_with(columns.clone(), block, None, Some(&widest));
        let lines: Vec<&str> = text.lines().collect();
        debug_assert_eq!(
            lines.len(),
            n + 4,
            "top rule, header, header rule, rows, bottom rule"
        );
        let first = if b == 0 { 0 } else { 3 };
        let last = if b + 1 == blocks {
            lines.len()
        } else {
            lines.len() - 1
        };
        for line in &lines[first.min(lines.len())..last.max(first)] {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// [`grid`] as one table; `at_least`: each column's least content width (blocks of a long
/// table, see [`blocked_grid`]).
fn grid_with(
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
    width: Option<u16>,
    at_least: Option<&[usize]>,
) -> String {
    let mut t = comfy_table::Table::new();
    t.load_style(STYLE);
    match width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    let (header, aligns): (Vec<String>, Vec<Align>) = columns.into_iter().unzip();
    t.set_header(header);
    for row in rows {
        t.add_row(Row::from(row));
    }
    for (i, (c, align)) in t.column_iter_mut().zip(aligns).enumerate() {
        match align {
            Align::Left => c.set_cell_alignment(CellAlignment::Left),
            Align::Right => c.set_cell_alignment(CellAlignment::Right),
            Align::Mark => {
                c.set_cell_alignment(CellAlignment::Left);
                c.set_padding((0, 1));
            }
        }
        if let Some(&least) = at_least.and_then(|w| w.get(i)) {
            // The table crate's lower bound counts the padding.
            let least = least + usize::from(c.padding_width());
            let least = u16::try_from(least).unwrap_or(u16::MAX);
            c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(least)));
        }
    }
    let mut out = t.trim_fmt();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table longer than a block is drawn in blocks that stitch into exactly the lines of
    /// one table, with the widest cells in a late block and en dashes (display width 1).
    #[test]
    fn long_tables_in_blocks_are_one_table() {
        let columns = || {
            vec![
                ("start".to_string(), Align::Left),
                ("value".to_string(), Align::Right),
                (String::new(), Align::Mark),
            ]
        };
        let rows: Vec<Vec<String>> = (0..3 * BLOCK_ROWS + 17)
            .map(|i| {
                let value = if i == 2 * BLOCK_ROWS + 5 {
                    "a much wider value than the rest".to_string()
                } else if i % 7 == 0 {
                    "–".to_string()
                } else {
                    format!("{:.3}", i as f64 / 7.0)
                };
                vec![
                    format!("{}:{:02}", i / 60, i % 60),
                    value,
                    "*".repeat(i % 2),
                ]
            })
            .collect();
        let one = grid_with(columns(), rows.clone(), None, None);
        assert_eq!(grid(columns(), rows, None), one);
        assert_eq!(one.lines().count(), 3 * BLOCK_ROWS + 17 + 4);
    }

    /// The shared helper: nothing cut without a width; with one, long cells wrap at spaces
    /// within it and every word survives; numbers right-aligned; a mark follows its value.
    #[test]
    fn grid_aligns_numbers_wraps_to_a_width_and_never_cuts() {
        let long = "a metric whose name is much longer than twenty characters";
        let columns = [
            ("name", Align::Left),
            ("value", Align::Right),
            ("", Align::Mark),
        ];
        let rows = || {
            vec![
                vec![long.to_string(), "1.5".to_string(), "*".to_string()],
                vec!["x".to_string(), "123.25".to_string(), String::new()],
            ]
        };
        let wide = grid(columns, rows(), None);
        assert!(wide.ends_with('\n'));
        assert!(wide.contains(long), "{wide}");
        assert!(!wide.contains('…'), "{wide}");
        let line = |text: &str, start: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(start))
                .map(str::to_string)
                .expect(start)
        };
        // Right-aligned: the values end in the same column; the mark follows its value.
        let (a, b) = (line(&wide, "a metric"), line(&wide, "x "));
        let end = a.find(" 1.5").expect("1.5") + 4;
        assert_eq!(Some(end), b.find("123.25").map(|i| i + 6), "{wide}");
        assert_eq!(a[end..].trim_start(), "*", "{wide}");
        let narrow = grid(columns, rows(), Some(30));
        for l in narrow.lines() {
            assert!(l.chars().count() <= 30, "too wide: `{l}`\n{narrow}");
        }
        for word in long.split(' ') {
            assert!(narrow.contains(word), "`{word}` lost\n{narrow}");
        }
    }
}
