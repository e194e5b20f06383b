//! PDF output of a [`Document`]: with real vector text (what an e-ITAS downloaded from the
//! immigration site is) or as one embedded JPEG (what a scanner's "save as PDF" makes).
//!
//! Vector text uses the fonts the raster uses, embedded whole as `CIDFontType2` descendants of
//! `Type0` fonts with `Identity-H` encoding (two-byte glyph ids), per-glyph widths, kerning as `TJ`
//! adjustments, and a `ToUnicode` CMap so that the text can be extracted. Shapes are filled paths.
//!
//! Invariants: one page of exactly the document's size in points; page y runs up, so every y
//! is flipped against the page height; the text advances match [`super::layout`]'s raster.

use std::collections::BTreeMap;

use ab_glyph::{Font, FontVec, GlyphId};
use pdf_writer::types::{
    CidFontType, FontFlags, LineCapStyle, LineJoinStyle, SystemInfo, UnicodeCmap,
};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

use super::SynthError;
use super::fonts::{FontFace, Fonts};
use super::layout::{Document, Item, Rgb8, TextItem};

const CATALOG: Ref = Ref::new(1);
const PAGES: Ref = Ref::new(2);
const PAGE: Ref = Ref::new(3);
const CONTENT: Ref = Ref::new(4);
const IMAGE: Ref = Ref::new(5);
/// Each font takes five objects from here on: Type0, CIDFont, descriptor, file, ToUnicode.
const FIRST_FONT: i32 = 10;

/// The glyphs one face draws on the page, with the character each stands for.
struct UsedFont {
    face: FontFace,
    glyphs: BTreeMap<u16, char>,
}

impl UsedFont {
    fn resource_name(&self, index: usize) -> Vec<u8> {
        format!("F{index}").into_bytes()
    }

    fn base_ref(index: usize) -> i32 {
        FIRST_FONT + 5 * index as i32
    }
}

/// The document as a one-page PDF with vector text and shapes.
pub fn vector_pdf(doc: &Document, fonts: &Fonts) -> Result<Vec<u8>, SynthError> {
    let used = used_fonts(doc, fonts);
    let mut pdf = Pdf::new();
    pdf.catalog(CATALOG).pages(PAGES);
    pdf.pages(PAGES).kids([PAGE]).count(1);
    let mut page = pdf.page(PAGE);
    page.media_box(Rect::new(0.0, 0.0, doc.width, doc.height));
    page.parent(PAGES);
    page.contents(CONTENT);
    let mut resources = page.resources();
    let mut font_dict = resources.fonts();
    for (i, f) in used.iter().enumerate() {
        font_dict.pair(Name(&f.resource_name(i)), Ref::new(UsedFont::base_ref(i)));
    }
    font_dict.finish();
    resources.finish();
    page.finish();
    let content = page_content(doc, fonts, &used);
    pdf.stream(CONTENT, &content);
    for (i, f) in used.iter().enumerate() {
        write_font(&mut pdf, fonts.get(f.face), f, UsedFont::base_ref(i))?;
    }
    Ok(pdf.finish())
}

fn used_fonts(doc: &Document, fonts: &Fonts) -> Vec<UsedFont> {
    let mut used: Vec<UsedFont> = Vec::new();
    for t in doc.texts() {
        let i = match used.iter().position(|u| u.face == t.face) {
            Some(i) => i,
            None => {
                used.push(UsedFont {
                    face: t.face,
                    glyphs: BTreeMap::new(),
                });
                used.len() - 1
            }
        };
        let font = fonts.get(t.face);
        for c in t.text.chars() {
            used[i].glyphs.insert(font.glyph_id(c).0, c);
        }
    }
    used
}

fn page_content(doc: &Document, fonts: &Fonts, used: &[UsedFont]) -> Vec<u8> {
    let mut content = Content::new();
    let h = doc.height;
    // The paper's tint (a card's colour) is part of the document, not the viewer's background.
    fill_color(&mut content, doc.paper);
    content.rect(0.0, 0.0, doc.width, h).fill_nonzero();
    for item in &doc.items {
        match item {
            Item::Rect {
                x,
                y,
                w,
                h: rh,
                color,
            } => {
                fill_color(&mut content, *color);
                content.rect(*x, h - y - rh, *w, *rh).fill_nonzero();
            }
            Item::Polygon { points, color } => {
                fill_color(&mut content, *color);
                path(&mut content, points, h);
                content.close_path().fill_nonzero();
            }
            Item::Stroke {
                points,
                width,
                color,
            } => {
                let [r, g, b] = color.map(|c| f32::from(c) / 255.0);
                content.set_stroke_rgb(r, g, b).set_line_width(*width);
                content.set_line_cap(LineCapStyle::RoundCap);
                content.set_line_join(LineJoinStyle::RoundJoin);
                path(&mut content, points, h);
                content.stroke();
            }
            Item::Text(t) => {
                let index = used.iter().position(|u| u.face == t.face).unwrap_or(0);
                text(
                    &mut content,
                    fonts.get(t.face),
                    t,
                    &used[index].resource_name(index),
                    h,
                );
            }
        }
    }
    content.finish().to_vec()
}

fn fill_color(content: &mut Content, color: Rgb8) {
    let [r, g, b] = color.map(|c| f32::from(c) / 255.0);
    content.set_fill_rgb(r, g, b);
}

fn path(content: &mut Content, points: &[[f32; 2]], page_h: f32) {
    for (i, p) in points.iter().enumerate() {
        if i == 0 {
            content.move_to(p[0], page_h - p[1]);
        } else {
            content.line_to(p[0], page_h - p[1]);
        }
    }
}

/// One text run: glyph ids as big-endian pairs, split wherever kerning moves the next glyph.
fn text(content: &mut Content, font: &FontVec, t: &TextItem, resource: &[u8], page_h: f32) {
    let upem = font.units_per_em().unwrap_or(1000.0);
    fill_color(content, t.color);
    content.begin_text();
    content.set_font(Name(resource), t.size);
    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, t.x, page_h - t.baseline]);
    let mut shown = content.show_positioned();
    let mut items = shown.items();
    let mut run: Vec<u8> = Vec::new();
    let mut prev: Option<GlyphId> = None;
    for c in t.text.chars() {
        let id = font.glyph_id(c);
        let kern = prev.map_or(0.0, |p| font.kern_unscaled(p, id));
        if kern != 0.0 {
            items.show(Str(&run));
            run.clear();
            // TJ subtracts its numbers (in thousandths of the em) from the position.
            items.adjust(-kern * 1000.0 / upem);
        }
        run.extend(id.0.to_be_bytes());
        prev = Some(id);
    }
    items.show(Str(&run));
    items.finish();
    shown.finish();
    content.end_text();
}

/// Writes the Type0 font, its CIDFont, descriptor, embedded file and ToUnicode CMap.
fn write_font(pdf: &mut Pdf, font: &FontVec, used: &UsedFont, base: i32) -> Result<(), SynthError> {
    let (path, package) = used.face.file();
    let bytes = std::fs::read(&path).map_err(|source| SynthError::FontMissing {
        path: path.clone(),
        package,
        source,
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['-', ' '], ""))
        .unwrap_or_else(|| "Font".to_string());
    let [type0, cid, descriptor, file, cmap] = [0, 1, 2, 3, 4].map(|k| Ref::new(base + k));
    let upem = font.units_per_em().unwrap_or(1000.0);
    let scale = |v: f32| v * 1000.0 / upem;
    pdf.type0_font(type0)
        .base_font(Name(name.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(Name(name.as_bytes()))
        .system_info(identity())
        .font_descriptor(descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let mut widths = cid_font.widths();
    for &gid in used.glyphs.keys() {
        let advance = scale(font.h_advance_unscaled(GlyphId(gid)));
        widths.consecutive(gid, [advance]);
    }
    widths.finish();
    cid_font.finish();
    let bbox = glyph_bbox(font, used).map(scale);
    pdf.font_descriptor(descriptor)
        .name(Name(name.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(bbox[0], bbox[1], bbox[2], bbox[3]))
        .italic_angle(0.0)
        .ascent(scale(font.ascent_unscaled()))
        .descent(scale(font.descent_unscaled()))
        .cap_height(scale(font.ascent_unscaled()) * 0.75)
        .stem_v(80.0)
        .font_file2(file);
    pdf.stream(file, &bytes)
        .pair(Name(b"Length1"), bytes.len() as i32);
    let mut unicode = UnicodeCmap::new(Name(b"Custom"), identity());
    for (&gid, &c) in &used.glyphs {
        unicode.pair(gid, c);
    }
    pdf.cmap(cmap, &unicode.finish());
    Ok(())
}

fn identity() -> SystemInfo<'static> {
    SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    }
}

/// The union of the used glyphs' outlines, `[x0, y0, x1, y1]` in font units, y up.
fn glyph_bbox(font: &FontVec, used: &UsedFont) -> [f32; 4] {
    let mut bbox = [0.0, font.descent_unscaled(), 0.0, font.ascent_unscaled()];
    for &gid in used.glyphs.keys() {
        if let Some(outline) = font.outline(GlyphId(gid)) {
            // ab_glyph keeps the top in `min.y` and the bottom in `max.y`.
            let b = outline.bounds;
            bbox = [
                bbox[0].min(b.min.x),
                bbox[1].min(b.max.y),
                bbox[2].max(b.max.x),
                bbox[3].max(b.min.y),
            ];
        }
    }
    bbox
}

/// A one-page PDF of `width_pt` x `height_pt` holding `jpeg` (of `pixels`) stretched over it.
pub fn image_pdf(jpeg: &[u8], pixels: (u32, u32), width_pt: f32, height_pt: f32) -> Vec<u8> {
    let mut pdf = Pdf::new();
    pdf.catalog(CATALOG).pages(PAGES);
    pdf.pages(PAGES).kids([PAGE]).count(1);
    let mut page = pdf.page(PAGE);
    page.media_box(Rect::new(0.0, 0.0, width_pt, height_pt));
    page.parent(PAGES);
    page.contents(CONTENT);
    page.resources().x_objects().pair(Name(b"Im1"), IMAGE);
    page.finish();
    let mut image = pdf.image_xobject(IMAGE, jpeg);
    image.filter(Filter::DctDecode);
    image.width(pixels.0 as i32);
    image.height(pixels.1 as i32);
    image.color_space().device_rgb();
    image.bits_per_component(8);
    image.finish();
    let mut content = Content::new();
    content.save_state();
    content.transform([width_pt, 0.0, 0.0, height_pt, 0.0, 0.0]);
    content.x_object(Name(b"Im1"));
    content.restore_state();
    pdf.stream(CONTENT, &content.finish());
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::layout::Sheet;
    use crate::synth::permit::{DocKind, sample_document};
    use crate::synth::truth::Truth;
    use image::RgbImage;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn load(bytes: &[u8], name: &str) -> RgbImage {
        let path =
            std::env::temp_dir().join(format!("kitascan-synth-{}-{name}.pdf", std::process::id()));
        std::fs::write(&path, bytes).expect("temp dir writable");
        let pages = crate::input::load(&path, &Default::default()).expect("PDF loads");
        let _ = std::fs::remove_file(&path);
        assert_eq!(pages.len(), 1);
        pages.into_iter().next().expect("one page").image
    }

    fn dark_share(img: &RgbImage, [x0, y0, x1, y1]: [f32; 4], s: f32) -> f32 {
        let (x0, y0) = ((x0 * s).max(0.0) as u32, (y0 * s).max(0.0) as u32);
        let x1 = ((x1 * s) as u32).min(img.width());
        let y1 = ((y1 * s) as u32).min(img.height());
        let total = ((x1 - x0) * (y1 - y0)).max(1) as f32;
        let dark = (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                img.get_pixel(x, y)
                    .0
                    .iter()
                    .map(|&c| u32::from(c))
                    .sum::<u32>()
                    < 300
            })
            .count();
        dark as f32 / total
    }

    #[test]
    fn vector_pdf_renders_with_ink_where_the_text_is() {
        let fonts = Fonts::load().expect("fonts installed");
        for (seed, kind) in [
            (1, DocKind::Eitas2021),
            (2, DocKind::Eitap2024),
            (3, DocKind::KitasCard),
        ] {
            let doc = sample_document(&mut StdRng::seed_from_u64(seed), kind, &fonts);
            let bytes = vector_pdf(&doc, &fonts).expect("PDF written");
            assert!(bytes.starts_with(b"%PDF-"));
            let img = load(&bytes, &format!("vector{seed}"));
            let s = img.width() as f32 / doc.width;
            assert!(
                (img.height() as f32 / s - doc.height).abs() < 1.0,
                "page size"
            );
            for t in doc.texts().filter(|t| t.color[0] < 60 && t.text.len() > 3) {
                let share = dark_share(&img, t.bounds(&fonts), s);
                assert!(share > 0.04, "{kind:?}: {:?} has only {share} ink", t.text);
            }
            // The vector page matches the raster closely: same fonts, positions and kerning.
            let raster = doc.render(&fonts, img.width() as f32 / doc.width * 72.0);
            let (w, h) = (
                img.width().min(raster.width()),
                img.height().min(raster.height()),
            );
            let diff: f32 = (0..h)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .map(|(x, y)| {
                    f32::from(img.get_pixel(x, y).0[1].abs_diff(raster.get_pixel(x, y).0[1]))
                })
                .sum::<f32>()
                / (w * h) as f32;
            assert!(
                diff < 6.0,
                "{kind:?}: vector and raster differ by {diff} per pixel"
            );
        }
    }

    #[test]
    fn vector_pdf_keeps_blank_paper_blank_and_colours_shapes() {
        let fonts = Fonts::load().expect("fonts installed");
        let mut sheet = Sheet::new(&fonts, 200.0, 100.0);
        sheet.text("AV AVATAR 2C21HB0016AT", FontFace::DejaVu, 10.0, 10.0, 20.0);
        sheet.rect([10.0, 50.0, 40.0, 30.0], [200, 30, 30]);
        let doc = sheet.finish([255, 255, 255], Truth::default());
        let img = load(&vector_pdf(&doc, &fonts).expect("PDF"), "blank");
        let s = img.width() as f32 / 200.0;
        assert_eq!(dark_share(&img, [100.0, 40.0, 200.0, 100.0], s), 0.0);
        let red = img.get_pixel((30.0 * s) as u32, (65.0 * s) as u32).0;
        assert!(red[0] > 180 && red[1] < 60, "{red:?}");
        // Kerned advance: the text ends where the raster measure says it does.
        let t = doc.texts().next().expect("text");
        let right = t.x + t.width(&fonts);
        assert!(dark_share(&img, [right - 8.0, 12.0, right, 22.0], s) > 0.05);
        assert_eq!(
            dark_share(&img, [right + 1.5, 12.0, right + 20.0, 22.0], s),
            0.0
        );
    }

    #[test]
    fn image_pdf_loads_at_the_page_size() {
        let fonts = Fonts::load().expect("fonts installed");
        let doc = sample_document(&mut StdRng::seed_from_u64(4), DocKind::Eitas2024, &fonts);
        let raster = doc.render(&fonts, 100.0);
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
            .encode_image(&raster)
            .expect("JPEG");
        let bytes = image_pdf(&jpeg, raster.dimensions(), doc.width, doc.height);
        let img = load(&bytes, "image");
        let ratio = img.width() as f32 / img.height() as f32;
        assert!((ratio - doc.width / doc.height).abs() < 0.01, "{ratio}");
        let s = img.width() as f32 / doc.width;
        let title = doc
            .texts()
            .find(|t| t.text == doc.truth.document_type)
            .expect("title");
        assert!(dark_share(&img, title.bounds(&fonts), s) > 0.05);
    }
}
