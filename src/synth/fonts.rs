//! The fonts generated text is drawn with.
//!
//! Real TrueType fonts from Debian packages, loaded from their standard paths, so that rendered
//! text has the shapes, hinting-free outlines and kerning of fonts that real printouts use
//! (Liberation Sans is metric-compatible with Arial, the usual face of government printouts).

use std::path::{Path, PathBuf};

use ab_glyph::FontVec;

use super::SynthError;

const LIBERATION_DIR: &str = "/usr/share/fonts/truetype/liberation";
const DEJAVU_DIR: &str = "/usr/share/fonts/truetype/dejavu";
const LIBERATION_PKG: &str = "fonts-liberation";
const DEJAVU_PKG: &str = "fonts-dejavu-core";
const DEJAVU_EXTRA_PKG: &str = "fonts-dejavu-extra";

/// A typeface the generator can draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FontFace {
    /// Liberation Sans Regular (Arial-compatible).
    Sans,
    /// Liberation Sans Bold.
    SansBold,
    /// Liberation Mono Regular (Courier New-compatible).
    Mono,
    /// DejaVu Sans.
    DejaVu,
    /// DejaVu Sans Bold.
    DejaVuBold,
    // The faces below are only drawn by the layout families (`super::family`); they come
    // after the original five so that `FontFace as usize` of those stays what it was.
    /// Liberation Serif Regular (Times New Roman-compatible).
    Serif,
    /// Liberation Serif Bold.
    SerifBold,
    /// Liberation Sans Narrow Regular (Arial Narrow-compatible).
    Narrow,
    /// DejaVu Serif.
    DejaVuSerif,
    /// DejaVu Sans Mono.
    DejaVuMono,
    /// DejaVu Sans Condensed (from `fonts-dejavu-extra`).
    DejaVuCondensed,
    // More faces of the same installed packages, for more layout families; after the others
    // so that the indices above stay what they were.
    /// Liberation Sans Narrow Bold.
    NarrowBold,
    /// Liberation Mono Bold.
    MonoBold,
    /// DejaVu Serif Condensed (from `fonts-dejavu-extra`).
    DejaVuSerifCondensed,
    /// DejaVu Sans Condensed Bold (from `fonts-dejavu-extra`).
    DejaVuCondensedBold,
}

impl FontFace {
    /// Every face, in declaration order.
    pub const ALL: [FontFace; 15] = [
        FontFace::Sans,
        FontFace::SansBold,
        FontFace::Mono,
        FontFace::DejaVu,
        FontFace::DejaVuBold,
        FontFace::Serif,
        FontFace::SerifBold,
        FontFace::Narrow,
        FontFace::DejaVuSerif,
        FontFace::DejaVuMono,
        FontFace::DejaVuCondensed,
        FontFace::NarrowBold,
        FontFace::MonoBold,
        FontFace::DejaVuSerifCondensed,
        FontFace::DejaVuCondensedBold,
    ];

    /// The installed file of this face and the Debian package that provides it.
    pub fn file(self) -> (PathBuf, &'static str) {
        let (dir, name, package) = match self {
            FontFace::Sans => (LIBERATION_DIR, "LiberationSans-Regular.ttf", LIBERATION_PKG),
            FontFace::SansBold => (LIBERATION_DIR, "LiberationSans-Bold.ttf", LIBERATION_PKG),
            FontFace::Mono => (LIBERATION_DIR, "LiberationMono-Regular.ttf", LIBERATION_PKG),
            FontFace::DejaVu => (DEJAVU_DIR, "DejaVuSans.ttf", DEJAVU_PKG),
            FontFace::DejaVuBold => (DEJAVU_DIR, "DejaVuSans-Bold.ttf", DEJAVU_PKG),
            FontFace::Serif => (
                LIBERATION_DIR,
                "LiberationSerif-Regular.ttf",
                LIBERATION_PKG,
            ),
            FontFace::SerifBold => (LIBERATION_DIR, "LiberationSerif-Bold.ttf", LIBERATION_PKG),
            FontFace::Narrow => (
                LIBERATION_DIR,
                "LiberationSansNarrow-Regular.ttf",
                LIBERATION_PKG,
            ),
            FontFace::DejaVuSerif => (DEJAVU_DIR, "DejaVuSerif.ttf", DEJAVU_PKG),
            FontFace::DejaVuMono => (DEJAVU_DIR, "DejaVuSansMono.ttf", DEJAVU_PKG),
            FontFace::DejaVuCondensed => (DEJAVU_DIR, "DejaVuSansCondensed.ttf", DEJAVU_EXTRA_PKG),
            FontFace::NarrowBold => (
                LIBERATION_DIR,
                "LiberationSansNarrow-Bold.ttf",
                LIBERATION_PKG,
            ),
            FontFace::MonoBold => (LIBERATION_DIR, "LiberationMono-Bold.ttf", LIBERATION_PKG),
            FontFace::DejaVuSerifCondensed => {
                (DEJAVU_DIR, "DejaVuSerifCondensed.ttf", DEJAVU_EXTRA_PKG)
            }
            FontFace::DejaVuCondensedBold => {
                (DEJAVU_DIR, "DejaVuSansCondensed-Bold.ttf", DEJAVU_EXTRA_PKG)
            }
        };
        (Path::new(dir).join(name), package)
    }
}

/// All faces of [`FontFace`], loaded.
pub struct Fonts {
    // Indexed by `FontFace as usize`, which `FontFace::ALL` keeps in declaration order.
    faces: Vec<FontVec>,
}

impl Fonts {
    /// Loads every face from its standard path.
    ///
    /// Fails with [`SynthError::FontMissing`] naming the file and the package to install when a
    /// font is not installed.
    pub fn load() -> Result<Fonts, SynthError> {
        let faces = FontFace::ALL
            .iter()
            .map(|face| {
                let (path, package) = face.file();
                load_font(&path, package)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Fonts { faces })
    }

    /// The loaded font of `face`.
    pub fn get(&self, face: FontFace) -> &FontVec {
        &self.faces[face as usize]
    }
}

fn load_font(path: &Path, package: &'static str) -> Result<FontVec, SynthError> {
    let bytes = std::fs::read(path).map_err(|source| SynthError::FontMissing {
        path: path.to_path_buf(),
        package,
        source,
    })?;
    FontVec::try_from_vec(bytes).map_err(|_| SynthError::FontInvalid {
        path: path.to_path_buf(),
        package,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::Font;

    #[test]
    fn every_face_loads_and_has_latin_capitals() {
        let fonts = Fonts::load().expect("fonts installed (scripts/system-deps run)");
        for face in FontFace::ALL {
            let font = fonts.get(face);
            for c in ['A', 'Z', '0', '9', '/', '-', '.'] {
                assert_ne!(font.glyph_id(c).0, 0, "{face:?} lacks {c:?}");
            }
        }
    }

    #[test]
    fn faces_are_distinct_fonts() {
        let fonts = Fonts::load().expect("fonts installed");
        let id = fonts.get(FontFace::Sans).glyph_id('W');
        let regular = fonts.get(FontFace::Sans).h_advance_unscaled(id);
        let mono_id = fonts.get(FontFace::Mono).glyph_id('W');
        let mono = fonts.get(FontFace::Mono).h_advance_unscaled(mono_id);
        let mono_i = fonts.get(FontFace::Mono).glyph_id('i');
        assert_ne!(regular, mono);
        assert_eq!(mono, fonts.get(FontFace::Mono).h_advance_unscaled(mono_i));
    }

    #[test]
    fn missing_font_error_names_file_and_package() {
        let Err(err) = load_font(Path::new("/nonexistent/NoSuchFont.ttf"), LIBERATION_PKG) else {
            panic!("loading a missing file succeeded");
        };
        let msg = err.to_string();
        assert!(msg.contains("/nonexistent/NoSuchFont.ttf"), "{msg}");
        assert!(
            msg.contains("apt-get install fonts-liberation fonts-dejavu-core"),
            "{msg}"
        );
    }

    #[test]
    fn non_font_file_is_rejected() {
        let path = std::env::temp_dir().join("kitascan_synth_not_a_font.ttf");
        std::fs::write(&path, b"not a font").expect("temp dir writable");
        let Err(err) = load_font(&path, DEJAVU_PKG) else {
            panic!("garbage loaded as a font");
        };
        assert!(matches!(err, SynthError::FontInvalid { .. }));
        let _ = std::fs::remove_file(&path);
    }
}
