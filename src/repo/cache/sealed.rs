//! The one format of every cache file: a magic, a version, the payload's length and its
//! CRC-32 before the payload, which is a postcard encoding of the cache's own stored types.
//! A torn, truncated, corrupted or foreign file is recognised and ignored, never trusted.
//! Files are written whole to a temporary file and renamed, so that a reader sees the old
//! file or the new one.
//!
//! CRC-32 (IEEE) has a Hamming distance of at least 3 for messages under 2^32 bits, so every
//! flip of one or two bits in a file under [`MAX_FILE_BYTES`] changes the checksum, as does
//! any burst of up to 32 bits. Like any checksum it guards against damage, not forgery:
//! whoever can write the git directory can write the history itself.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What a cache file holds and in which layout: files with another magic or version are
/// ignored (and then replaced).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seal {
    pub magic: &'static [u8; 16],
    /// Raised whenever the layout or the meaning of a field changes.
    pub version: u32,
}

/// magic, version, payload length, checksum.
const HEADER_BYTES: usize = 16 + 4 + 8 + 4;
/// A cache file larger than this is not read.
const MAX_FILE_BYTES: u64 = 256 << 20;

/// Why a cache file was not used, or could not be written. Either costs only speed: the
/// answers are computed again.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Damaged(#[from] Damage),
    /// A stored type that postcard cannot encode (a sequence of unknown length): a bug.
    #[error("cannot encode the cache: {0}")]
    Encode(postcard::Error),
}

/// Compared by what went wrong (for I/O, the kind of error), for tests and callers that
/// branch on it.
impl PartialEq for CacheError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                CacheError::Io { path, source },
                CacheError::Io {
                    path: other_path,
                    source: other_source,
                },
            ) => path == other_path && source.kind() == other_source.kind(),
            (CacheError::Damaged(a), CacheError::Damaged(b)) => a == b,
            (CacheError::Encode(a), CacheError::Encode(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for CacheError {}

/// What is wrong with a cache file that was read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Damage {
    #[error("not a regular file")]
    NotAFile,
    #[error("{0} bytes, over the limit")]
    TooLarge(u64),
    #[error("not a handoff cache file")]
    Foreign,
    #[error("version {found}, this handoff reads {expected}")]
    Version { found: u32, expected: u32 },
    #[error("truncated")]
    Truncated,
    #[error("trailing bytes")]
    TrailingBytes,
    #[error("checksum mismatch")]
    Checksum,
    /// The checksum holds but the payload does not decode: written by a bug, or forged.
    #[error("undecodable: {0}")]
    Undecodable(postcard::Error),
    /// The payload decodes but says something impossible.
    #[error("{0}")]
    Invalid(Invalid),
    #[error("written for another shallow boundary")]
    OtherShallowBoundary,
    #[error("written by another build of handoff")]
    OtherBuild,
}

/// What a decoded payload may say that cannot be true.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("commit number {0} out of range")]
    CommitNumber(u32),
    #[error("commit {0} has an impossible time")]
    Time(String),
    #[error("half a replaced record")]
    HalfReplaced,
}

impl From<Invalid> for Damage {
    fn from(invalid: Invalid) -> Damage {
        Damage::Invalid(invalid)
    }
}

/// A sealed file holding `value`.
pub(crate) fn encode<T: Serialize + ?Sized>(seal: Seal, value: &T) -> Result<Vec<u8>, CacheError> {
    // The payload is encoded after room for the header, which is filled in afterwards: the
    // payload, several megabytes at times, is never copied.
    let mut file = postcard::to_extend(value, vec![0; HEADER_BYTES]).map_err(CacheError::Encode)?;
    let payload_length = (file.len() - HEADER_BYTES) as u64;
    let checksum = crc32fast::hash(&file[HEADER_BYTES..]);
    let header = &mut file[..HEADER_BYTES];
    header[..16].copy_from_slice(seal.magic);
    header[16..20].copy_from_slice(&seal.version.to_le_bytes());
    header[20..28].copy_from_slice(&payload_length.to_le_bytes());
    header[28..32].copy_from_slice(&checksum.to_le_bytes());
    Ok(file)
}

/// The value a sealed file holds, or why it cannot be trusted.
pub(crate) fn decode<T: DeserializeOwned>(seal: Seal, bytes: &[u8]) -> Result<T, Damage> {
    let payload = unseal(seal, bytes)?;
    let (value, rest) = postcard::take_from_bytes(payload).map_err(Damage::Undecodable)?;
    if !rest.is_empty() {
        return Err(Damage::TrailingBytes);
    }
    Ok(value)
}

/// The payload of a sealed file, or why it cannot be trusted.
fn unseal(seal: Seal, bytes: &[u8]) -> Result<&[u8], Damage> {
    if bytes.get(..16) != Some(seal.magic.as_slice()) {
        return Err(Damage::Foreign);
    }
    let (header, payload) = bytes
        .split_at_checked(HEADER_BYTES)
        .ok_or(Damage::Truncated)?;
    let field = |range: std::ops::Range<usize>| &header[range];
    let found = u32::from_le_bytes(field(16..20).try_into().expect("four bytes"));
    if found != seal.version {
        return Err(Damage::Version {
            found,
            expected: seal.version,
        });
    }
    let length = u64::from_le_bytes(field(20..28).try_into().expect("eight bytes"));
    let checksum = u32::from_le_bytes(field(28..32).try_into().expect("four bytes"));
    match (payload.len() as u64).cmp(&length) {
        std::cmp::Ordering::Less => return Err(Damage::Truncated),
        std::cmp::Ordering::Greater => return Err(Damage::TrailingBytes),
        std::cmp::Ordering::Equal => {}
    }
    if crc32fast::hash(payload) != checksum {
        return Err(Damage::Checksum);
    }
    Ok(payload)
}

/// Reads and decodes a cache file: `Ok(None)` when there is none.
pub(crate) fn read<T: DeserializeOwned>(seal: Seal, file: &Path) -> Result<Option<T>, CacheError> {
    let io = |source| CacheError::Io {
        path: file.to_path_buf(),
        source,
    };
    let meta = match std::fs::metadata(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
        Ok(meta) => meta,
    };
    if !meta.is_file() {
        return Err(Damage::NotAFile.into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Damage::TooLarge(meta.len()).into());
    }
    let bytes = std::fs::read(file).map_err(io)?;
    Ok(Some(decode(seal, &bytes)?))
}

/// Encodes `value` into a cache file, written whole: a temporary file beside it, renamed over
/// it.
pub(crate) fn write<T: Serialize + ?Sized>(
    seal: Seal,
    file: &Path,
    value: &T,
) -> Result<(), CacheError> {
    write_bytes(file, &encode(seal, value)?)
}

fn write_bytes(file: &Path, bytes: &[u8]) -> Result<(), CacheError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CacheError::Io { path, source }
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    temporary.write_all(bytes).map_err(io(temporary.path()))?;
    temporary
        .persist(file)
        .map_err(|e| e.error)
        .map_err(io(file))?;
    Ok(())
}

/// Checks that every truncation of a sealed file, and every flipped byte in it, is rejected.
#[cfg(test)]
pub(crate) fn assert_every_damage_rejected<T>(
    bytes: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, Damage>,
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

#[cfg(test)]
mod tests {
    use super::*;

    const SEAL: Seal = Seal {
        magic: b"handoff-testing\n",
        version: 3,
    };

    /// The checksum the seal had until version 2 of the caches: FNV-1a's step a word at a
    /// time. A flip of the top bit of a word and of the top bit of the word after it cancels
    /// out: the top bit of the running value flips before the multiplication by an odd
    /// number, which flips only the top bit of the product, and the next word's top bit flips
    /// it back.
    fn word_wise_fnv(bytes: &[u8]) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut words = bytes.chunks_exact(8);
        for word in words.by_ref() {
            let word = u64::from_le_bytes(word.try_into().unwrap());
            hash = (hash ^ word).wrapping_mul(0x0000_0100_0000_01b3);
        }
        for &byte in words.remainder() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    }

    fn flipped(bytes: &[u8], bits: [usize; 2]) -> Vec<u8> {
        let mut flipped = bytes.to_vec();
        for bit in bits {
            flipped[bit / 8] ^= 1 << (bit % 8);
        }
        flipped
    }

    #[test]
    fn a_value_reads_back_as_written() {
        let value = (7u32, "text".to_string(), vec![[1u8; 20], [2u8; 20]]);
        let bytes = encode(SEAL, &value).unwrap();
        assert_eq!(
            decode::<(u32, String, Vec<[u8; 20]>)>(SEAL, &bytes),
            Ok(value)
        );
    }

    #[test]
    fn two_bit_flips_the_old_checksum_missed_are_caught() {
        let payload: Vec<u8> = (0..64u8).collect();
        // The top bits of bytes 7 and 15: the top bits of the first two words.
        let damaged = flipped(&payload, [63, 127]);
        assert_eq!(word_wise_fnv(&damaged), word_wise_fnv(&payload), "missed");
        assert_ne!(crc32fast::hash(&damaged), crc32fast::hash(&payload));

        let bytes = encode(SEAL, &serde_bytes::Bytes::new(&payload)).unwrap();
        // The payload starts after the header and the length of the byte string (one byte).
        let start = (HEADER_BYTES + 1) * 8;
        let damaged = flipped(&bytes, [start + 63, start + 127]);
        assert_eq!(
            decode::<serde_bytes::ByteBuf>(SEAL, &damaged),
            Err(Damage::Checksum)
        );
    }

    #[test]
    fn every_two_bit_flip_of_a_payload_is_caught() {
        // Every pair of bits of a 96-byte payload (294,528 pairs), then pairs far apart in a
        // larger one, drawn from a fixed sequence.
        let payload: Vec<u8> = (0..96u32).map(|n| (n * 37 + 11) as u8).collect();
        let sum = crc32fast::hash(&payload);
        let bits = payload.len() * 8;
        for first in 0..bits {
            for second in first + 1..bits {
                assert_ne!(
                    crc32fast::hash(&flipped(&payload, [first, second])),
                    sum,
                    "bits {first} and {second}"
                );
            }
        }
        let large: Vec<u8> = (0..1u32 << 16).map(|n| (n ^ (n >> 7)) as u8).collect();
        let sum = crc32fast::hash(&large);
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for _ in 0..2_000 {
            let (first, second) = (next(large.len() * 8), next(large.len() * 8));
            if first != second {
                assert_ne!(crc32fast::hash(&flipped(&large, [first, second])), sum);
            }
        }
    }

    #[test]
    fn damage_is_named() {
        let bytes = encode(SEAL, &(1u32, "payload".to_string())).unwrap();
        let read = |bytes: &[u8]| decode::<(u32, String)>(SEAL, bytes).unwrap_err();
        assert_eq!(read(b""), Damage::Foreign);
        assert_eq!(read(b"{\"cache\": \"someone else's\"}\n"), Damage::Foreign);
        assert_eq!(read(&bytes[..20]), Damage::Truncated);
        assert_eq!(read(&bytes[..bytes.len() - 1]), Damage::Truncated);
        assert_eq!(read(&[&bytes[..], b"x"].concat()), Damage::TrailingBytes);
        let mut other = bytes.clone();
        other[16..20].copy_from_slice(&9u32.to_le_bytes());
        assert_eq!(
            read(&other),
            Damage::Version {
                found: 9,
                expected: 3
            }
        );
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(read(&flipped), Damage::Checksum);
        // A payload that decodes with bytes to spare, checksummed: not what was written.
        let longer = encode(SEAL, &(1u32, "payload".to_string(), 5u8)).unwrap();
        assert_eq!(read(&longer), Damage::TrailingBytes);
        assert_every_damage_rejected(&bytes, |b| decode::<(u32, String)>(SEAL, b));
    }

    #[test]
    fn reading_and_writing_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/cache");
        assert_eq!(read::<u32>(SEAL, &file), Ok(None));
        write(SEAL, &file, &5u32).unwrap();
        assert_eq!(read::<u32>(SEAL, &file), Ok(Some(5)));
        let names: Vec<_> = std::fs::read_dir(file.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["cache"], "no temporary file is left");
        assert_eq!(
            read::<u32>(SEAL, dir.path()),
            Err(CacheError::Damaged(Damage::NotAFile))
        );
    }
}
