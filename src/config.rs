//! The configuration of `kitascan run`: a TOML file in sections (`[server]`, `[store]`,
//! `[reader]`; the daemon adds its own), every key optional with the default documented in
//! `config/kitascan.toml`, which is also the built-in configuration.
//!
//! Invariants:
//! - Unknown keys are refused (`deny_unknown_fields`), so a typo never falls back to a default.
//! - A loaded [`Config`] has passed [`Config::validate`]: every error names the file, the key and
//!   the reason.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::capture::controls::{AutoOr, CameraControls, PowerLine};
use crate::capture::{CameraSettings, PixelFormat, SourceSpec};
use crate::gate::GateParams;
use crate::input::Limits;
use crate::led::LedSpec;
use crate::ocr::Precision;

/// The configuration built into the binary (`config/kitascan.toml`).
pub const DEFAULT_TOML: &str = include_str!("../config/kitascan.toml");

/// The name used for the built-in configuration in error messages.
pub const BUILT_IN: &str = "<built-in config>";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub store: StoreConfig,
    pub reader: ReaderConfig,
    pub daemon: DaemonConfig,
    pub gate: GateParams,
    pub fleet: FleetConfig,
    pub kiosk: KioskConfig,
}

/// The walk-up screen (`[kiosk]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// Seconds the walk-up screen shows a reading's kind, name and permit number before it
    /// clears back to the instruction.
    pub show_secs: u64,
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self { show_secs: 10 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub read_timeout_secs: u64,
    pub retry_after_secs: u64,
    pub keys: Vec<ApiKey>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            read_timeout_secs: 60,
            retry_after_secs: 5,
            keys: Vec::new(),
        }
    }
}

/// One client's credentials (see `config/kitascan.toml` for how each scheme uses them).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// Names the client in logs.
    pub name: String,
    /// The secret: `x-api-key` or Verihubs' `API-Key`.
    pub key: String,
    /// Verihubs' `App-ID`, required with `API-Key`.
    #[serde(default)]
    pub app_id: Option<String>,
    /// GLAIR's basic auth, checked when a request carries it.
    #[serde(default)]
    pub basic_user: Option<String>,
    #[serde(default)]
    pub basic_password: Option<String>,
    /// What the key may do; a key written without one is [`Role::Admin`], as every key could
    /// do everything before roles existed.
    #[serde(default)]
    pub role: Role,
}

/// What a key may do. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The two OCR endpoints (and the walk-up screen's stream, which carries only what the
    /// screen shows anyone standing at the tray).
    Upload,
    /// Also the stored scans, their images, the events stream and the metrics.
    Read,
    /// Also corrections, marking checked, deletion and export.
    #[default]
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Upload => "upload",
            Role::Read => "read",
            Role::Admin => "admin",
        }
    }
}

/// Never prints the secrets.
impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    pub db: PathBuf,
    pub retention_days: u32,
    pub store_images: bool,
    pub jpeg_quality: u8,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            db: PathBuf::from("kitascan.db"),
            retention_days: 30,
            store_images: true,
            jpeg_quality: 85,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReaderConfig {
    pub workers: usize,
    /// Threads of the models' matrix products; 0: all cores but one (the camera loop's).
    pub threads: usize,
    pub queue_capacity: usize,
    pub max_upload_bytes: usize,
    pub max_pixels: u64,
    pub max_pdf_pages: usize,
    pub pdf_dpi: f32,
    /// `f32` or `int8` models (see `config/kitascan.toml` for the measured trade).
    pub precision: Precision,
    /// CPU features left out of (`-name`) or added to (`+name`) those tract picks its kernels
    /// for ([`crate::ocr::set_cpu_features`]); empty: tract's own choice.
    pub cpu_features: String,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        let limits = Limits::default();
        Self {
            workers: 1,
            threads: 0,
            queue_capacity: 4,
            max_upload_bytes: limits.max_bytes,
            max_pixels: limits.max_pixels,
            max_pdf_pages: limits.max_pages,
            pdf_dpi: limits.pdf_dpi,
            precision: Precision::F32,
            cpu_features: crate::ocr::default_cpu_features().to_string(),
        }
    }
}

impl ReaderConfig {
    /// The OCR thread count `threads` stands for on this machine.
    pub fn ocr_threads(&self) -> usize {
        if self.threads > 0 {
            return self.threads;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.saturating_sub(1).max(1)
    }

    /// The decoding limits of one upload.
    pub fn limits(&self) -> Limits {
        Limits {
            max_pixels: self.max_pixels,
            max_pages: self.max_pdf_pages,
            pdf_dpi: self.pdf_dpi,
            max_bytes: self.max_upload_bytes,
        }
    }
}

/// Delivery of every reading to a back office (`[fleet]`): an MQTT broker or a webhook.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FleetConfig {
    /// This kiosk's name in the fleet: in every message, the MQTT client id and topic.
    pub kiosk_id: String,
    /// Delivered outbox rows are deleted this many days after delivery; 0 keeps them.
    pub keep_delivered_days: u32,
    pub mqtt: Option<MqttConfig>,
    pub webhook: Option<WebhookConfig>,
}

impl Default for FleetConfig {
    fn default() -> Self {
        Self {
            kiosk_id: String::new(),
            keep_delivered_days: 7,
            mqtt: None,
            webhook: None,
        }
    }
}

impl FleetConfig {
    /// Whether a sink is configured (then every change writes an outbox event).
    pub fn enabled(&self) -> bool {
        self.mqtt.is_some() || self.webhook.is_some()
    }

    /// Whether messages carry the photo, signature and document images.
    pub fn include_images(&self) -> bool {
        self.mqtt.as_ref().is_some_and(|m| m.include_images)
    }
}

/// `[fleet.mqtt]`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttConfig {
    /// `mqtt://host[:port]` (1883) or `mqtts://host[:port]` (8883).
    pub url: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// `{kiosk_id}` is replaced by the kiosk's id.
    #[serde(default = "default_topic")]
    pub topic: String,
    #[serde(default = "default_qos")]
    pub qos: u8,
    #[serde(default)]
    pub include_images: bool,
}

fn default_topic() -> String {
    "kitascan/{kiosk_id}/scans".into()
}

fn default_qos() -> u8 {
    1
}

/// Never prints the password.
impl std::fmt::Debug for MqttConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MqttConfig")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("topic", &self.topic)
            .field("qos", &self.qos)
            .field("include_images", &self.include_images)
            .finish_non_exhaustive()
    }
}

/// A broker address parsed from `[fleet.mqtt] url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerAddr {
    pub host: String,
    pub port: u16,
    pub tls: bool,
}

impl MqttConfig {
    /// The broker's host, port and whether it speaks TLS.
    pub fn broker(&self) -> Result<BrokerAddr, String> {
        const WANT: &str = "must be mqtt://HOST[:PORT] or mqtts://HOST[:PORT]";
        let (tls, rest) = if let Some(r) = self.url.strip_prefix("mqtts://") {
            (true, r)
        } else if let Some(r) = self.url.strip_prefix("mqtt://") {
            (false, r)
        } else {
            return Err(WANT.into());
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let default_port = if tls { 8883 } else { 1883 };
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or(WANT)?;
            match after.strip_prefix(':') {
                Some(p) => (host, p.parse().map_err(|_| WANT)?),
                None if after.is_empty() => (host, default_port),
                None => return Err(WANT.into()),
            }
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (h, p.parse().map_err(|_| WANT)?),
                None => (rest, default_port),
            }
        };
        let bad_host = host.is_empty() || host.contains(['/', '@', ' ', '?', '#']);
        if bad_host || port == 0 {
            return Err(WANT.into());
        }
        Ok(BrokerAddr {
            host: host.to_string(),
            port,
            tls,
        })
    }

    /// The topic with `{kiosk_id}` filled in.
    pub fn topic_for(&self, kiosk_id: &str) -> String {
        self.topic.replace("{kiosk_id}", kiosk_id)
    }
}

/// `[fleet.webhook]`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// `http://` or `https://` URL every event is POSTed to.
    pub url: String,
    /// The HMAC-SHA256 key of `X-Kitascan-Signature`.
    pub secret: String,
}

/// Never prints the secret.
impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The camera side of `kitascan run` (the `[daemon]` section).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonConfig {
    /// `camera`, `camera:INDEX`, `replay:DIR` or `none`.
    pub source: String,
    /// Frames per second asked of the camera, and played by a replay.
    pub fps: u32,
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
    /// A replay starts again after its last frame.
    pub replay_loop: bool,
    /// `gpio:PIN`, `log` or `none`.
    pub led: String,
    /// Longest wait between attempts to reopen a lost camera, seconds.
    pub reconnect_max_secs: u64,
    /// Controls set on the camera at every open (`[daemon.camera_controls]`).
    pub camera_controls: CameraControlsConfig,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            source: "camera:0".into(),
            fps: 15,
            width: 1920,
            height: 1080,
            format: PixelFormat::Mjpeg,
            replay_loop: true,
            led: "none".into(),
            reconnect_max_secs: 30,
            camera_controls: CameraControlsConfig::default(),
        }
    }
}

impl DaemonConfig {
    pub fn source(&self) -> Result<SourceSpec, String> {
        self.source.parse()
    }

    pub fn led(&self) -> Result<LedSpec, String> {
        self.led.parse()
    }

    pub fn camera(&self) -> CameraSettings {
        CameraSettings {
            width: self.width,
            height: self.height,
            fps: self.fps,
            format: self.format,
            // A loaded configuration has passed `validate`, which refuses a bad value.
            controls: self
                .camera_controls
                .parse()
                .unwrap_or_else(|(key, reason)| {
                    tracing::warn!("{key}: {reason}; the camera's controls are left as they are");
                    CameraControls::default()
                }),
        }
    }
}

/// `[daemon.camera_controls]` as written. Each key takes any TOML value here, so that
/// [`Config::validate`] can name the key and say what it takes ([`CameraControlsConfig::parse`]);
/// a key left out leaves the camera's own value.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CameraControlsConfig {
    /// `"auto"` or an exposure time in the camera's unit (100 µs on USB cameras), at least 1.
    pub exposure: Option<toml::Value>,
    /// `"auto"` or a colour temperature in kelvin.
    pub white_balance: Option<toml::Value>,
    /// `"auto"` or a focus position in the camera's unit, at least 0.
    pub focus: Option<toml::Value>,
    /// A whole number in the camera's range.
    pub brightness: Option<toml::Value>,
    /// `50`, `60` (as numbers or strings) or `"off"`.
    pub power_line_frequency: Option<toml::Value>,
}

/// The most a V4L2 control holds.
const CONTROL_MAX: i64 = i32::MAX as i64;

impl CameraControlsConfig {
    /// The typed settings, or the key (`daemon.camera_controls.KEY`) and what it takes.
    pub fn parse(&self) -> Result<CameraControls, (String, String)> {
        let key = |k: &str| format!("daemon.camera_controls.{k}");
        let auto_or = |value: &Option<toml::Value>, k: &str, range, reason: &str| {
            value
                .as_ref()
                .map(|v| parse_auto_or(v, range).ok_or_else(|| (key(k), reason.to_string())))
                .transpose()
        };
        let exposure = auto_or(
            &self.exposure,
            "exposure",
            1..=CONTROL_MAX,
            "must be \"auto\" or a whole number of at least 1 (the camera's unit: 100 µs on USB \
             cameras)",
        )?;
        let white_balance = auto_or(
            &self.white_balance,
            "white_balance",
            1000..=15000,
            "must be \"auto\" or a colour temperature in kelvin between 1000 and 15000",
        )?;
        let focus = auto_or(
            &self.focus,
            "focus",
            0..=CONTROL_MAX,
            "must be \"auto\" or a whole number of at least 0",
        )?;
        let brightness = self
            .brightness
            .as_ref()
            .map(|v| match v {
                toml::Value::Integer(i) if (-CONTROL_MAX..=CONTROL_MAX).contains(i) => Ok(*i),
                _ => Err((key("brightness"), "must be a whole number".to_string())),
            })
            .transpose()?;
        let power_line_frequency = self
            .power_line_frequency
            .as_ref()
            .map(|v| {
                let text = match v {
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::String(s) => s.trim().to_ascii_lowercase(),
                    _ => String::new(),
                };
                match text.as_str() {
                    "50" => Ok(PowerLine::Hz50),
                    "60" => Ok(PowerLine::Hz60),
                    "off" => Ok(PowerLine::Off),
                    _ => Err((
                        key("power_line_frequency"),
                        "must be 50, 60 or \"off\"".to_string(),
                    )),
                }
            })
            .transpose()?;
        Ok(CameraControls {
            exposure,
            white_balance,
            focus,
            brightness,
            power_line_frequency,
        })
    }
}

/// `"auto"` (any case) or a whole number in `range`.
fn parse_auto_or(value: &toml::Value, range: std::ops::RangeInclusive<i64>) -> Option<AutoOr> {
    match value {
        toml::Value::String(s) if s.trim().eq_ignore_ascii_case("auto") => Some(AutoOr::Auto),
        toml::Value::Integer(i) if range.contains(i) => Some(AutoOr::Value(*i)),
        _ => None,
    }
}

/// A configuration that cannot be used: which file, which key, and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {key}: {reason}")]
    Invalid {
        file: String,
        key: String,
        reason: String,
    },
}

impl FleetConfig {
    /// The key at fault and why, if any.
    fn validate(&self) -> Result<(), (String, String)> {
        let bad = |key: &str, reason: &str| Err((key.to_string(), reason.to_string()));
        if !self.enabled() {
            return Ok(());
        }
        if self.mqtt.is_some() && self.webhook.is_some() {
            return bad(
                "fleet.webhook",
                "[fleet.mqtt] and [fleet.webhook] are alternatives: configure one",
            );
        }
        let id_ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if self.kiosk_id.is_empty() || self.kiosk_id.len() > 64 || !self.kiosk_id.chars().all(id_ok)
        {
            return bad(
                "fleet.kiosk_id",
                "must be 1-64 letters, digits, '-', '_' or '.' (it names the kiosk in the topic \
                 and the MQTT client id)",
            );
        }
        if self.keep_delivered_days > 3650 {
            return bad(
                "fleet.keep_delivered_days",
                "must be between 0 (keep) and 3650",
            );
        }
        if let Some(m) = &self.mqtt {
            if let Err(reason) = m.broker() {
                return bad("fleet.mqtt.url", &reason);
            }
            if m.password.is_some() && m.username.is_none() {
                return bad("fleet.mqtt.password", "needs fleet.mqtt.username");
            }
            let topic = m.topic_for(&self.kiosk_id);
            if topic.is_empty() || topic.contains(['+', '#', '\0']) || topic.len() > 1024 {
                return bad(
                    "fleet.mqtt.topic",
                    "must be a topic name without the wildcards '+' and '#'",
                );
            }
            if m.qos != 1 {
                return bad(
                    "fleet.mqtt.qos",
                    "must be 1: a reading is marked delivered on the broker's PUBACK",
                );
            }
        }
        if let Some(w) = &self.webhook {
            let scheme_ok = w.url.starts_with("http://") || w.url.starts_with("https://");
            if !scheme_ok || w.url.len() <= "https://".len() {
                return bad("fleet.webhook.url", "must be an http:// or https:// URL");
            }
            if w.secret.len() < 16 {
                return bad("fleet.webhook.secret", "must be at least 16 characters");
            }
        }
        Ok(())
    }
}

impl Config {
    /// The built-in configuration.
    pub fn built_in() -> Result<Config, ConfigError> {
        Config::parse(DEFAULT_TOML, BUILT_IN)
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: file.clone(),
            source,
        })?;
        Config::parse(&text, &file)
    }

    /// Parses and validates configuration text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        config.validate(file)?;
        Ok(config)
    }

    /// Checks every value's range; the listen address is checked by [`Config::check_listen`]
    /// once command-line overrides are applied.
    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        let bad = |key: &str, reason: &str| {
            Err(ConfigError::Invalid {
                file: file.to_string(),
                key: key.to_string(),
                reason: reason.to_string(),
            })
        };
        let r = &self.reader;
        if r.workers == 0 || r.workers > 64 {
            return bad("reader.workers", "must be between 1 and 64");
        }
        if r.threads > 64 {
            return bad(
                "reader.threads",
                "must be between 0 (all cores but one) and 64",
            );
        }
        if r.queue_capacity == 0 || r.queue_capacity > 1024 {
            return bad("reader.queue_capacity", "must be between 1 and 1024");
        }
        if r.max_upload_bytes == 0 || r.max_upload_bytes > 256 * 1024 * 1024 {
            return bad(
                "reader.max_upload_bytes",
                "must be between 1 and 268435456 (256 MB)",
            );
        }
        if r.max_pixels < 10_000 || r.max_pixels > 400_000_000 {
            return bad("reader.max_pixels", "must be between 10000 and 400000000");
        }
        if r.max_pdf_pages == 0 || r.max_pdf_pages > 100 {
            return bad("reader.max_pdf_pages", "must be between 1 and 100");
        }
        if !(36.0..=600.0).contains(&r.pdf_dpi) {
            return bad("reader.pdf_dpi", "must be between 36 and 600");
        }
        if !(1..=100).contains(&self.store.jpeg_quality) {
            return bad("store.jpeg_quality", "must be between 1 and 100");
        }
        if self.store.db.as_os_str().is_empty() {
            return bad("store.db", "must name a file");
        }
        let d = &self.daemon;
        if let Err(reason) = d.source() {
            return bad("daemon.source", &reason);
        }
        if let Err(reason) = d.led() {
            return bad("daemon.led", &reason);
        }
        if !(1..=120).contains(&d.fps) {
            return bad("daemon.fps", "must be between 1 and 120");
        }
        if !(160..=8192).contains(&d.width) || !(120..=8192).contains(&d.height) {
            return bad(
                "daemon.width",
                "width and height must be between 160 and 8192",
            );
        }
        if !(1..=3600).contains(&d.reconnect_max_secs) {
            return bad("daemon.reconnect_max_secs", "must be between 1 and 3600");
        }
        if let Err((key, reason)) = d.camera_controls.parse() {
            return bad(&key, &reason);
        }
        if let Err((key, reason)) = self.gate.validate() {
            return bad(&key, &reason);
        }
        if let Err((key, reason)) = self.fleet.validate() {
            return bad(&key, &reason);
        }
        if !(1..=3600).contains(&self.kiosk.show_secs) {
            return bad("kiosk.show_secs", "must be between 1 and 3600");
        }
        if self.server.read_timeout_secs == 0 {
            return bad("server.read_timeout_secs", "must be at least 1");
        }
        let mut names = std::collections::HashSet::new();
        for (i, k) in self.server.keys.iter().enumerate() {
            let key = |field: &str| format!("server.keys[{i}].{field}");
            if k.name.trim().is_empty() {
                return bad(&key("name"), "must not be empty");
            }
            if !names.insert(k.name.as_str()) {
                return bad(&key("name"), "is used by another key");
            }
            if k.key.len() < 16 {
                return bad(&key("key"), "must be at least 16 characters");
            }
            if k.app_id.as_deref().is_some_and(str::is_empty) {
                return bad(&key("app_id"), "must not be empty when set");
            }
            if k.basic_user.is_some() != k.basic_password.is_some() {
                return bad(
                    &key("basic_user"),
                    "basic_user and basic_password go together",
                );
            }
        }
        Ok(())
    }

    /// Refuses to listen beyond this machine with no key: anyone on the LAN could read every
    /// stored permit.
    pub fn check_listen(&self, file: &str) -> Result<(), ConfigError> {
        if !self.server.listen.ip().is_loopback() && self.server.keys.is_empty() {
            return Err(ConfigError::Invalid {
                file: file.to_string(),
                key: "server.listen".to_string(),
                reason: format!(
                    "{} is reachable from other machines, and no API key is configured: anyone \
                     on the network could read and delete every stored permit. Add a \
                     [[server.keys]] entry, or listen on 127.0.0.1",
                    self.server.listen
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_file_matches_the_defaults() {
        let c = Config::built_in().expect("the built-in config is valid");
        let d = Config::default();
        assert_eq!(c.server.listen, d.server.listen);
        assert_eq!(c.server.read_timeout_secs, d.server.read_timeout_secs);
        assert_eq!(c.server.retry_after_secs, d.server.retry_after_secs);
        assert!(c.server.keys.is_empty());
        assert_eq!(c.store.db, d.store.db);
        assert_eq!(c.store.retention_days, d.store.retention_days);
        assert_eq!(c.store.store_images, d.store.store_images);
        assert_eq!(c.store.jpeg_quality, d.store.jpeg_quality);
        assert_eq!(c.reader.limits(), d.reader.limits());
        assert_eq!(c.reader.limits(), Limits::default());
        assert_eq!(c.reader.workers, d.reader.workers);
        assert_eq!(c.reader.queue_capacity, d.reader.queue_capacity);
        assert_eq!(c.reader.precision, d.reader.precision);
        assert!(c.check_listen(BUILT_IN).is_ok());
        assert_eq!(c.daemon.camera(), d.daemon.camera());
        assert_eq!(c.daemon.camera_controls, d.daemon.camera_controls);
        assert_eq!(c.kiosk.show_secs, d.kiosk.show_secs);
        assert_eq!(c.kiosk.show_secs, 10);
        // Out of the box, kitascan leaves every camera control as the camera has it.
        assert!(c.daemon.camera().controls.is_empty());
    }

    #[test]
    fn camera_controls_parse_into_typed_settings() {
        let c = Config::parse(
            "[daemon.camera_controls]\nexposure = 250\nwhite_balance = \"auto\"\n\
             focus = 0\nbrightness = -12\npower_line_frequency = \"50\"\n",
            "k.toml",
        )
        .unwrap();
        assert_eq!(
            c.daemon.camera().controls,
            CameraControls {
                exposure: Some(AutoOr::Value(250)),
                white_balance: Some(AutoOr::Auto),
                focus: Some(AutoOr::Value(0)),
                brightness: Some(-12),
                power_line_frequency: Some(PowerLine::Hz50),
            }
        );
        let c = Config::parse(
            "[daemon.camera_controls]\nexposure = \"Auto\"\nwhite_balance = 4600\n\
             focus = \"auto\"\npower_line_frequency = 60\n",
            "k.toml",
        )
        .unwrap();
        assert_eq!(
            c.daemon.camera().controls,
            CameraControls {
                exposure: Some(AutoOr::Auto),
                white_balance: Some(AutoOr::Value(4600)),
                focus: Some(AutoOr::Auto),
                brightness: None,
                power_line_frequency: Some(PowerLine::Hz60),
            }
        );
        // Inline in the [daemon] section, too.
        let c = Config::parse(
            "[daemon]\ncamera_controls = { power_line_frequency = \"off\" }\n",
            "k.toml",
        )
        .unwrap();
        assert_eq!(
            c.daemon.camera().controls.power_line_frequency,
            Some(PowerLine::Off)
        );
    }

    #[test]
    fn bad_camera_controls_name_the_key_and_what_it_takes() {
        let err = |text: &str| {
            Config::parse(&format!("[daemon.camera_controls]\n{text}\n"), "k.toml")
                .unwrap_err()
                .to_string()
        };
        let exposure = "k.toml: daemon.camera_controls.exposure: must be \"auto\" or a whole \
                        number of at least 1 (the camera's unit: 100 µs on USB cameras)";
        for bad in [
            "exposure = \"manual\"",
            "exposure = 1.5",
            "exposure = 0",
            "exposure = true",
            "exposure = 4294967296",
        ] {
            assert_eq!(err(bad), exposure, "{bad}");
        }
        let wb = "k.toml: daemon.camera_controls.white_balance: must be \"auto\" or a colour \
                  temperature in kelvin between 1000 and 15000";
        for bad in ["white_balance = 20000", "white_balance = \"4600K\""] {
            assert_eq!(err(bad), wb, "{bad}");
        }
        assert_eq!(
            err("focus = -1"),
            "k.toml: daemon.camera_controls.focus: must be \"auto\" or a whole number of at \
             least 0"
        );
        assert_eq!(
            err("brightness = \"auto\""),
            "k.toml: daemon.camera_controls.brightness: must be a whole number"
        );
        for bad in [
            "power_line_frequency = 55",
            "power_line_frequency = \"auto\"",
            "power_line_frequency = 0",
        ] {
            assert_eq!(
                err(bad),
                "k.toml: daemon.camera_controls.power_line_frequency: must be 50, 60 or \"off\"",
                "{bad}"
            );
        }
        // A misspelt key is refused, not ignored.
        let msg = err("exposre = 100");
        assert!(
            msg.starts_with("k.toml: ") && msg.contains("exposre"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_name_file_key_and_reason() {
        let err = Config::parse("[server]\nlisten_on = \"0.0.0.0:80\"\n", "k.toml").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("k.toml: ") && msg.contains("listen_on"),
            "{msg}"
        );
        let err = Config::parse("[reader]\nworkers = 0\n", "k.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "k.toml: reader.workers: must be between 1 and 64"
        );
        let err = Config::parse("[reader]\nthreads = 65\n", "k.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "k.toml: reader.threads: must be between 0 (all cores but one) and 64"
        );
        let err = Config::parse("[store]\nretention_days = -1\n", "k.toml").unwrap_err();
        assert!(err.to_string().contains("retention_days"), "{err}");
        let err = Config::parse("[[server.keys]]\nname = \"a\"\nkey = \"short\"\n", "k.toml")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "k.toml: server.keys[0].key: must be at least 16 characters"
        );
    }

    #[test]
    fn fleet_settings_default_and_validate() {
        let c = Config::built_in().unwrap();
        assert!(!c.fleet.enabled());
        assert_eq!(c.fleet.keep_delivered_days, 7);
        let c = Config::parse(
            "[fleet]\nkiosk_id = \"jkt-01\"\n[fleet.mqtt]\nurl = \"mqtt://broker.lan\"\n",
            "k.toml",
        )
        .unwrap();
        let m = c.fleet.mqtt.as_ref().unwrap();
        assert_eq!((m.qos, m.include_images), (1, false));
        assert_eq!(m.topic_for("jkt-01"), "kitascan/jkt-01/scans");
        let addr = |url: &str| {
            MqttConfig {
                url: url.into(),
                ..m.clone()
            }
            .broker()
        };
        let want = |host: &str, port, tls| {
            Ok(BrokerAddr {
                host: host.into(),
                port,
                tls,
            })
        };
        assert_eq!(addr("mqtt://broker.lan"), want("broker.lan", 1883, false));
        assert_eq!(addr("mqtts://b:9000/"), want("b", 9000, true));
        assert_eq!(addr("mqtt://[::1]:1884"), want("::1", 1884, false));
        for bad in [
            "http://b",
            "mqtt://",
            "mqtt://b:x",
            "mqtt://u@b",
            "mqtt://b:0",
        ] {
            assert!(addr(bad).is_err(), "{bad}");
        }
        let err = |text: &str| Config::parse(text, "k.toml").unwrap_err().to_string();
        let mqtt = "[fleet.mqtt]\nurl = \"mqtt://b\"\n";
        assert!(err(mqtt).starts_with("k.toml: fleet.kiosk_id: must be"));
        let with_id = |rest: &str| format!("[fleet]\nkiosk_id = \"k1\"\n{rest}");
        assert_eq!(
            err(&with_id("[fleet.mqtt]\nurl = \"tcp://b\"\n")),
            "k.toml: fleet.mqtt.url: must be mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"
        );
        assert!(err(&with_id(&format!("{mqtt}qos = 0\n"))).starts_with("k.toml: fleet.mqtt.qos:"));
        assert!(
            err(&with_id(&format!("{mqtt}topic = \"a/+/b\"\n")))
                .starts_with("k.toml: fleet.mqtt.topic:")
        );
        assert!(
            err(&with_id(&format!("{mqtt}password = \"p\"\n")))
                .starts_with("k.toml: fleet.mqtt.password:")
        );
        let hook = "[fleet.webhook]\nurl = \"https://office.example/hook\"\n";
        assert!(
            err(&with_id(&format!("{hook}secret = \"short\"\n")))
                .starts_with("k.toml: fleet.webhook.secret:")
        );
        assert!(
            err(&with_id(&format!(
                "{mqtt}{hook}secret = \"0123456789abcdef\"\n"
            )))
            .starts_with("k.toml: fleet.webhook:")
        );
        let ok = Config::parse(
            &with_id(&format!("{hook}secret = \"0123456789abcdef\"\n")),
            "k.toml",
        )
        .unwrap();
        assert!(ok.fleet.enabled() && !ok.fleet.include_images());
        assert!(!format!("{:?}", ok.fleet).contains("0123456789abcdef"));
    }

    #[test]
    fn key_roles_parse_and_a_bad_one_is_refused() {
        let parse = |role: &str| {
            Config::parse(
                &format!(
                    "[[server.keys]]\nname = \"k\"\nkey = \"0123456789abcdef\"\nrole = \"{role}\"\n"
                ),
                "k.toml",
            )
        };
        assert_eq!(parse("upload").unwrap().server.keys[0].role, Role::Upload);
        assert_eq!(parse("read").unwrap().server.keys[0].role, Role::Read);
        assert_eq!(parse("admin").unwrap().server.keys[0].role, Role::Admin);
        let err = parse("root").unwrap_err().to_string();
        assert!(err.starts_with("k.toml: ") && err.contains("root"), "{err}");
        assert!(Role::Upload < Role::Read && Role::Read < Role::Admin);
        let err = Config::parse("[kiosk]\nshow_secs = 0\n", "k.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "k.toml: kiosk.show_secs: must be between 1 and 3600"
        );
    }

    #[test]
    fn precision_is_f32_or_int8() {
        let c = Config::parse("[reader]\nprecision = \"int8\"\n", "k.toml").unwrap();
        assert_eq!(c.reader.precision, Precision::Int8);
        let err = Config::parse("[reader]\nprecision = \"int4\"\n", "k.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("k.toml: ")
                && err.contains("`int4`")
                && err.contains("`f32` or `int8`"),
            "{err}"
        );
    }

    #[test]
    fn listening_on_the_lan_needs_a_key() {
        let open = Config::parse("[server]\nlisten = \"0.0.0.0:8080\"\n", "k.toml").unwrap();
        let err = open.check_listen("k.toml").unwrap_err().to_string();
        assert!(
            err.starts_with("k.toml: server.listen: 0.0.0.0:8080 is reachable"),
            "{err}"
        );
        let keyed = Config::parse(
            "[server]\nlisten = \"0.0.0.0:8080\"\n[[server.keys]]\nname = \"desk\"\n\
             key = \"0123456789abcdef\"\n",
            "k.toml",
        )
        .unwrap();
        assert!(keyed.check_listen("k.toml").is_ok());
        // A key written before roles existed keeps every right it had.
        assert_eq!(keyed.server.keys[0].role, Role::Admin);
        assert!(!format!("{:?}", keyed.server.keys[0]).contains("0123456789abcdef"));
    }
}
