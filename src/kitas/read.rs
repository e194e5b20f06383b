//! The whole reader: from a page image (a camera frame, a scan or a rendered PDF page) to a
//! [`Reading`] whose polygons are in that image's pixels.
//!
//! A camera frame is first reduced to the document ([`locate::locate`], [`locate::rectify`]);
//! every page is then turned upright ([`locate::orient`]), read by the OCR engine with its
//! orientation known (no per-line classifier), and its fields extracted. Polygons found on the
//! straightened page are mapped back through the turn and the perspective, so a client can draw
//! them on the image it sent.

use std::time::{Duration, Instant};

use image::RgbImage;
use imageproc::geometric_transformations::Projection;

use super::fields::Reading;
use super::locate::{self, LocateParams};
use crate::geometry::{Point, Quad};
use crate::ocr::{Engine, OcrError, PageOrientation, TextLine};

/// Where a page image comes from, which decides whether the document must be found in it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A camera frame: the document lies somewhere in it, at an angle.
    Camera,
    /// A scan, a PDF page or an uploaded picture of the document alone.
    Document,
    /// Either (an upload): a document found covering less than [`FILLED`] of the image is
    /// treated as a photo of it, else the image is the document.
    Auto,
}

/// Coverage above which a located document is taken to be the whole image: a scan's margins are
/// paper too, so a scan "locates" to nearly all of itself.
pub const FILLED: f32 = 0.85;

/// What the reader did with one page, for debugging and for the kiosk page.
pub struct PageRead {
    pub reading: Reading,
    /// The upright, straightened document as it was read.
    pub page: RgbImage,
    /// Where the document lay in the input (camera frames only).
    pub quad: Option<Quad>,
    /// Quarter turns clockwise that made the page upright.
    pub quarters: u8,
    /// The lines read, in the straightened page's pixels.
    pub lines: Vec<TextLine>,
    /// Where the time went.
    pub times: StageTimes,
}

/// Time spent in each stage of reading a page.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    /// Finding the document in a camera frame and straightening it (zero for scans and PDFs).
    pub locate: Duration,
    /// Line detection, including a second pass on a page found lying on its side.
    pub detect: Duration,
    /// The angle classifier on the longest lines, deciding whether the page is upside down.
    pub classify: Duration,
    /// Cutting the lines out and recognising them.
    pub recognize: Duration,
    /// Field extraction and normalisation.
    pub extract: Duration,
}

impl StageTimes {
    /// The stages' names and times, in pipeline order.
    pub fn stages(&self) -> [(&'static str, Duration); 5] {
        [
            ("locate", self.locate),
            ("detect", self.detect),
            ("classify", self.classify),
            ("recognize", self.recognize),
            ("extract", self.extract),
        ]
    }

    /// Adds another page's times (a file of several pages).
    pub fn add(&mut self, other: &StageTimes) {
        self.locate += other.locate;
        self.detect += other.detect;
        self.classify += other.classify;
        self.recognize += other.recognize;
        self.extract += other.extract;
    }
}

/// Reads one page image. The image is taken, not borrowed: a camera frame (up to 15 MB) is
/// dropped once the document is cut out of it, and a scan is read in place rather than copied,
/// so a reading holds one full-size image at a time.
pub fn read_page(
    engine: &Engine,
    img: RgbImage,
    page_index: usize,
    source: Source,
) -> Result<PageRead, OcrError> {
    let started = Instant::now();
    let located = match source {
        Source::Camera => locate::locate(&img, &LocateParams::default()),
        Source::Auto => {
            locate::locate(&img, &LocateParams::default()).filter(|l| l.coverage < FILLED)
        }
        Source::Document => None,
    };
    let located = located.map(|l| locate::Located {
        quad: locate::complete_card(&img, &l.quad),
        ..l
    });
    let straight = match &located {
        Some(l) => locate::rectify(&img, &l.quad),
        None => img,
    };
    let straight_size = straight.dimensions();
    let locate_time = started.elapsed();
    let upright = locate::orient(engine, straight)?;
    let started = Instant::now();
    let lines = engine.read_boxes(&upright.page, &upright.boxes, PageOrientation::Upright)?;
    let recognize_time = started.elapsed();
    let started = Instant::now();
    let mut reading = super::extract::extract(&lines, page_index, Some(&upright.page));
    let times = StageTimes {
        locate: locate_time,
        detect: upright.detect_time,
        classify: upright.classify_time,
        recognize: recognize_time,
        extract: started.elapsed(),
    };
    let to_input = ToInput::new(
        straight_size,
        upright.quarters,
        located.as_ref().map(|l| l.quad),
    );
    // The page's own polygons are kept before they are mapped to the input's pixels: the page
    // is what is stored and shown.
    reading.page_polygons = reading
        .fields
        .iter()
        .filter(|(_, f)| !f.polygon.is_empty())
        .map(|(name, f)| (*name, f.polygon.clone()))
        .collect();
    to_input.map_reading(&mut reading);
    Ok(PageRead {
        reading,
        page: upright.page,
        quad: located.map(|l| l.quad),
        quarters: upright.quarters,
        lines,
        times,
    })
}

/// Reads the pages of one file and keeps the first page that holds a permit (else the first);
/// its [`PageRead::times`] are those of every page read. Each page is dropped once read.
pub fn read_pages(
    engine: &Engine,
    pages: Vec<RgbImage>,
    source: Source,
) -> Result<Option<PageRead>, OcrError> {
    let mut first: Option<PageRead> = None;
    let mut times = StageTimes::default();
    for (i, page) in pages.into_iter().enumerate() {
        let mut read = read_page(engine, page, i, source)?;
        times.add(&read.times);
        if read.reading.is_permit {
            read.times = times;
            return Ok(Some(read));
        }
        first.get_or_insert(read);
    }
    Ok(first.map(|read| PageRead { times, ..read }))
}

/// Maps points on the upright, straightened page back to the input image.
struct ToInput {
    /// Size of the straightened page before it was turned.
    straight: (u32, u32),
    quarters: u8,
    /// Straightened page to input frame, for a located document.
    projection: Option<Projection>,
}

impl ToInput {
    fn new(straight: (u32, u32), quarters: u8, quad: Option<Quad>) -> Self {
        let projection = quad.and_then(|q| {
            let (w, h) = (straight.0 as f32, straight.1 as f32);
            Projection::from_control_points(
                [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)],
                q.map(|p| (p[0], p[1])),
            )
        });
        Self {
            straight,
            quarters,
            projection,
        }
    }

    fn point(&self, p: Point) -> Point {
        let (w, h) = (self.straight.0 as f32, self.straight.1 as f32);
        // Undo the clockwise quarter turns: a point (x, y) of the turned page came from...
        let [x, y] = p;
        let unturned = match self.quarters % 4 {
            1 => [y, h - x],
            2 => [w - x, h - y],
            3 => [w - y, x],
            _ => [x, y],
        };
        match &self.projection {
            Some(proj) => {
                let (u, v) = proj * &(unturned[0], unturned[1]);
                [u, v]
            }
            None => unturned,
        }
    }

    fn map_reading(&self, reading: &mut Reading) {
        for field in reading.fields.values_mut() {
            for p in field.polygon.iter_mut() {
                *p = self.point(*p);
            }
        }
        for crop in [&mut reading.photo, &mut reading.sign]
            .into_iter()
            .flatten()
        {
            for p in crop.polygon.iter_mut() {
                *p = self.point(*p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_map_back_through_each_quarter_turn() {
        // A 100 x 50 page; its top-left corner (0, 0) after each turn, mapped back, is (0, 0).
        for (quarters, turned_top_left_of_original) in [
            (0u8, [0.0, 0.0]),
            (1, [50.0, 0.0]),
            (2, [100.0, 50.0]),
            (3, [0.0, 100.0]),
        ] {
            let m = ToInput::new((100, 50), quarters, None);
            let back = m.point(turned_top_left_of_original);
            assert!(
                back[0].abs() < 1e-4 && back[1].abs() < 1e-4,
                "quarters {quarters}: {back:?}"
            );
        }
    }

    #[test]
    fn points_map_back_through_the_perspective() {
        let quad = [[100.0, 50.0], [300.0, 60.0], [290.0, 400.0], [90.0, 390.0]];
        let m = ToInput::new((200, 340), 0, Some(quad));
        let c = m.point([200.0, 340.0]);
        assert!(
            (c[0] - 290.0).abs() < 0.01 && (c[1] - 400.0).abs() < 0.01,
            "{c:?}"
        );
    }
}
