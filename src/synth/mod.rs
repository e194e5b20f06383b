//! The project's own generator of test images.
//!
//! No real residence permit may be used for testing, so the tests render their own: single text
//! lines for the recognizer, whole permit-like pages for the detector, and simulated phone photos of
//! those pages for document location. Everything is driven by a seeded RNG so that a seed names one
//! exact image.
//!
//! - [`fonts`]: the TrueType fonts (from Debian packages) that text is drawn with.
//! - [`render`]: anti-aliased text drawing, single-line images, rotation.
//! - [`text`]: fake but realistic field values (names, dates, permit numbers, addresses).
//! - [`page`]: a permit-style printout composed from label/value rows.
//! - [`texture`]: procedural surfaces (wood, cloth, tray) under the page.
//! - [`camera`]: a photo of a page on a textured surface, with perspective, light, blur, noise, JPEG.
//!
//! The permit reader's test documents and benchmark set build on these:
//!
//! - [`truth`]: the expected reading of a document ([`Truth`], GLAIR field names) and dates.
//! - [`layout`]: the document model (drawn items in points) and its raster renderer.
//! - [`permit`]: document kinds and [`sample_document`]; [`printout`], [`card`] and [`other`]
//!   lay out e-ITAS/e-ITAP printouts, old ID-1 cards, and non-permits (ITK, passport, receipt).
//! - [`pdf`]: PDFs with vector text and embedded fonts, or with one JPEG.
//! - [`capture`]: scan, PDF and camera conditions, [`write_sample`] and [`generate_set`].
//! - [`family`]: layout families built from independent choices, split into tuning and
//!   held-out ones ([`heldout`]), drawn by [`family_page`]; [`generate_family_set`] is their
//!   benchmark set.

pub mod camera;
pub mod capture;
pub mod card;
pub mod conditions;
mod error;
pub mod family;
pub mod family_page;
pub mod fonts;
mod heldout;
mod heldout_page;
pub mod layout;
mod names;
pub mod other;
pub mod page;
pub mod pdf;
pub mod permit;
pub mod printout;
pub mod render;
pub mod text;
pub mod texture;
pub mod tray;
pub mod truth;

pub use camera::{Background, CameraParams, photograph};
pub use error::SynthError;
pub use fonts::{FontFace, Fonts};
pub use page::{PageText, compose_page, sample_page, sample_page_items};
pub use render::{draw_text, line_height, render_line, rotate, text_width};
pub use text::{LineKind, sample_line};

pub use capture::{
    Condition, ReportKind, SampleInfo, generate_family_set, generate_set, write_sample,
};
pub use family::{Family, Split};
pub use layout::{Document, Item, TextItem};
pub use permit::{DocKind, sample_document};
pub use truth::Truth;

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// Writes one sample of each kind to /tmp for a human to look at:
    /// `cargo test --lib synth::tests::write_samples -- --ignored`.
    #[test]
    #[ignore = "writes PNGs to /tmp for visual inspection"]
    fn write_samples() {
        let fonts = Fonts::load().expect("fonts installed");
        let mut rng = StdRng::seed_from_u64(2024);
        let text = format!(
            "{}  {}  {}",
            sample_line(&mut rng, LineKind::Name),
            sample_line(&mut rng, LineKind::Date),
            sample_line(&mut rng, LineKind::Code)
        );
        let line = render_line(
            &text,
            fonts.get(FontFace::Sans),
            32.0,
            8,
            Rgb([20, 20, 20]),
            Rgb([250, 250, 245]),
        );
        line.save("/tmp/synth_line.png")
            .expect("write /tmp/synth_line.png");
        let (page, texts) = sample_page(&mut rng, &fonts);
        page.save("/tmp/synth_page.png")
            .expect("write /tmp/synth_page.png");
        let params = CameraParams {
            rotation_deg: 7.0,
            tilt: 0.08,
            glare: 0.5,
            background: Background::Wood,
            ..CameraParams::default()
        };
        let (photo, corners) = photograph(&page, &params, &mut rng).expect("photograph");
        photo
            .save("/tmp/synth_photo.png")
            .expect("write /tmp/synth_photo.png");
        for kind in Background::ALL {
            let path = format!("/tmp/synth_surface_{kind:?}.png").to_lowercase();
            let surface = texture::surface(kind, 640, 480, &mut rng);
            surface.save(&path).expect("write surface sample");
        }
        println!("line: {text}\npage texts: {texts:#?}\ncorners: {corners:?}");
    }
}
