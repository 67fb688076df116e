//! The sealed files the caches are kept in: a magic, a version, the payload's length and a
//! checksum before the payload, so that a torn, truncated, corrupted or foreign file is
//! recognised and ignored, never trusted; written whole to a temporary file and renamed, so
//! that a reader sees the old file or the new one.

use std::io::Write;
use std::path::Path;

use git2::Oid;

/// version, payload length, checksum.
const FIELDS_BYTES: usize = 4 + 8 + 8;
/// A cache file larger than this is not read.
const MAX_FILE_BYTES: u64 = 256 << 20;

/// A sealed file: `magic` (16 bytes), `version`, then `payload`.
pub(super) fn seal(magic: &[u8; 16], version: u32, payload: &[u8]) -> Vec<u8> {
    let mut file = Vec::with_capacity(magic.len() + FIELDS_BYTES + payload.len());
    file.extend_from_slice(magic);
    file.extend_from_slice(&version.to_le_bytes());
    file.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    file.extend_from_slice(&checksum(payload).to_le_bytes());
    file.extend_from_slice(payload);
    file
}

/// The payload of a sealed file, or why it cannot be trusted.
pub(super) fn unseal<'b>(
    magic: &[u8; 16],
    version: u32,
    bytes: &'b [u8],
) -> Result<&'b [u8], String> {
    let mut header = Reader::new(bytes);
    if header.bytes(magic.len()).ok() != Some(magic.as_slice()) {
        return Err("not a handoff cache file".to_string());
    }
    let found = header.u32()?;
    if found != version {
        return Err(format!("version {found}, this handoff reads {version}"));
    }
    let length = header.u64()?;
    let checksum = header.u64()?;
    let payload = &bytes[magic.len() + FIELDS_BYTES..];
    if payload.len() as u64 != length {
        return Err("truncated".to_string());
    }
    if self::checksum(payload) != checksum {
        return Err("checksum mismatch".to_string());
    }
    Ok(payload)
}

/// A cache file's bytes: `Ok(None)` when there is none, `Err` when it cannot be read.
pub(super) fn read(file: &Path) -> Result<Option<Vec<u8>>, String> {
    match std::fs::metadata(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read it: {e}")),
        Ok(meta) if !meta.is_file() => Err("not a regular file".to_string()),
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            Err(format!("{} bytes, over the limit", meta.len()))
        }
        Ok(_) => std::fs::read(file)
            .map(Some)
            .map_err(|e| format!("cannot read it: {e}")),
    }
}

/// The seal's checksum, also the caches' fingerprint of the shallow boundary: FNV-1a's step
/// taken a word at a time (eight times fewer steps over cache files of several megabytes).
/// Each step is a bijection of the running value for a given word, so any change within one
/// word always changes the sum; like FNV it guards against torn and corrupted files, not
/// against forgery (whoever can write the git directory can write the history itself).
pub(super) fn checksum(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut words = bytes.chunks_exact(8);
    for word in words.by_ref() {
        let word = u64::from_le_bytes(word.try_into().expect("chunks of eight"));
        hash = (hash ^ word).wrapping_mul(0x0000_0100_0000_01b3);
    }
    for &byte in words.remainder() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Writes a cache file whole: a temporary file beside it, renamed over it.
pub(super) fn write(file: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = file
        .parent()
        .ok_or_else(|| format!("{} has no directory", file.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    temporary
        .write_all(bytes)
        .map_err(|e| format!("{}: {e}", temporary.path().display()))?;
    temporary
        .persist(file)
        .map_err(|e| format!("{}: {}", file.display(), e.error))?;
    Ok(())
}

/// Bounds-checked reading: every malformed input is an error, never a panic or a huge
/// allocation.
pub(super) struct Reader<'b> {
    rest: &'b [u8],
}

impl<'b> Reader<'b> {
    pub(super) fn new(bytes: &'b [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(super) fn bytes(&mut self, n: usize) -> Result<&'b [u8], String> {
        if self.rest.len() < n {
            return Err("truncated".to_string());
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(taken)
    }

    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut array = [0; N];
        array.copy_from_slice(self.bytes(N)?);
        Ok(array)
    }

    pub(super) fn u8(&mut self) -> Result<u8, String> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u32(&mut self) -> Result<u32, String> {
        self.array().map(u32::from_le_bytes)
    }

    pub(super) fn u64(&mut self) -> Result<u64, String> {
        self.array().map(u64::from_le_bytes)
    }

    pub(super) fn i64(&mut self) -> Result<i64, String> {
        self.array().map(i64::from_le_bytes)
    }

    pub(super) fn oid(&mut self) -> Result<Oid, String> {
        Oid::from_bytes(self.bytes(20)?).map_err(|e| format!("bad object id: {}", e.message()))
    }

    pub(super) fn string(&mut self) -> Result<String, String> {
        let length = self.u32()? as usize;
        let bytes = self.bytes(length)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "text is not UTF-8".to_string())
    }

    /// A count of records of at least `min_record_bytes` each, checked against what is left.
    pub(super) fn count(&mut self, min_record_bytes: usize) -> Result<usize, String> {
        let count = self.u32()? as usize;
        if count.saturating_mul(min_record_bytes) > self.rest.len() {
            return Err("truncated".to_string());
        }
        Ok(count)
    }
}

#[derive(Default)]
pub(super) struct Writer(pub(super) Vec<u8>);

impl Writer {
    pub(super) fn bytes(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    pub(super) fn u8(&mut self, value: u8) {
        self.0.push(value);
    }

    pub(super) fn u32(&mut self, value: u32) {
        self.bytes(&value.to_le_bytes());
    }

    pub(super) fn u64(&mut self, value: u64) {
        self.bytes(&value.to_le_bytes());
    }

    pub(super) fn i64(&mut self, value: i64) {
        self.bytes(&value.to_le_bytes());
    }

    /// A commit id from its hex form; the walk only ever produces valid ones.
    pub(super) fn oid(&mut self, hex: &str) {
        let id = Oid::from_str(hex).unwrap_or(Oid::ZERO_SHA1);
        self.bytes(id.as_bytes());
    }

    pub(super) fn string(&mut self, text: &str) {
        self.u32(text.len() as u32);
        self.bytes(text.as_bytes());
    }
}

/// Checks that every truncation of a sealed file, and every flipped byte in it, is rejected.
#[cfg(test)]
pub(super) fn assert_every_damage_rejected<T>(
    bytes: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, String>,
) {
    for length in 0..bytes.len() {
        assert!(decode(&bytes[..length]).is_err(), "length {length}");
    }
    for position in 0..bytes.len() {
        let mut corrupt = bytes.to_vec();
        corrupt[position] ^= 0x24;
        assert!(decode(&corrupt).is_err(), "byte {position}");
    }
}
