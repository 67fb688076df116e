//! Reading the workspace's inputs, `handoff.yaml` and the ledger files, through the fence and
//! the parsed-input caches.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use crate::core::model::ledger::LEDGER_DIR;
use crate::core::model::load::{load_index, load_ledger_file};
use crate::core::model::review_points::{REVIEWS_FILE, ReviewPoint, load_review_points};
use crate::core::model::{
    Index, Ledger, LedgerProblem, LoadError, LoadErrors, Mailmap, Pos, SignOff,
};
use crate::repo::cache::{Input, ParsedCache};
use crate::repo::fence;
use crate::repo::workspace::{INDEX_FILE, MAX_LEDGER_BYTES, Workspace};

/// Loads and validates `handoff.yaml`, through the parsed-input cache, and lets its roles know
/// the repository's `.mailmap`. A `handoff.yaml` that is a symbolic link is followed only
/// while it stays inside the work tree.
pub fn load_index_file(ws: &Workspace) -> Result<Index, LoadErrors> {
    load_index_through(ws, parsed_cache(Some(&ws.git_dir), Input::Index))
}

/// git's `.mailmap` at the top of the work tree; empty when there is none or it cannot be read
/// safely (a mailmap only widens who counts as whom, so its absence loses nothing).
pub fn read_mailmap(ws: &Workspace) -> Mailmap {
    let path = ws.repo_root.join(MAILMAP_FILE);
    fence::read_inside(&ws.repo_root, &path, MAX_MAILMAP_BYTES)
        .map(|bytes| Mailmap::parse(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default()
}

/// git's mailmap file, at the top of the work tree.
pub const MAILMAP_FILE: &str = ".mailmap";
const MAX_MAILMAP_BYTES: u64 = 4 << 20;

fn load_index_through(ws: &Workspace, cache: ParsedCache<Index>) -> Result<Index, LoadErrors> {
    let mut index = parse_index_through(ws, cache)?;
    index.use_mailmap(read_mailmap(ws));
    Ok(index)
}

fn parse_index_through(ws: &Workspace, mut cache: ParsedCache<Index>) -> Result<Index, LoadErrors> {
    let path = ws.dir.join(INDEX_FILE);
    let bytes = fence::read_inside(&ws.repo_root, &path, crate::yaml::MAX_INPUT_BYTES as u64)
        .map_err(|e| {
            LoadError::new(
                INDEX_FILE,
                Pos::new(1, 1, 0),
                format!("cannot read {INDEX_FILE}: {e}"),
            )
        })?;
    if let Some(index) = cache.take(INDEX_FILE, &bytes) {
        return Ok(index);
    }
    let index = load_index(INDEX_FILE, &bytes)?;
    cache.save(&[(INDEX_FILE, &bytes, &index)]);
    Ok(index)
}

/// What one ledger file parsed to.
type LedgerFile = (Vec<SignOff>, Vec<LedgerProblem>);
/// A ledger file's bytes and what they parsed to, or why it could not be read.
type ReadLedgerFile = Result<(Vec<u8>, LedgerFile), fence::Refused>;

/// Reads every ledger file, through the parsed-input cache. Unreadable or malformed files
/// become problems, never errors; so does a ledger directory that leads outside the work tree
/// (a problem of every artifact: its `artifact` is empty).
pub fn load_ledger(ws: &Workspace) -> Ledger {
    load_ledger_through(ws, parsed_cache(Some(&ws.git_dir), Input::Ledger))
}

fn load_ledger_through(ws: &Workspace, mut cache: ParsedCache<LedgerFile>) -> Ledger {
    let mut ledger = Ledger::default();
    let dir = ws.dir.join(LEDGER_DIR);
    let resolved_dir = match fence::resolve_inside(&ws.repo_root, &dir) {
        Ok(resolved) => resolved,
        Err(fence::Refused::Missing) => return ledger,
        Err(e) => {
            ledger.problems.push(LedgerProblem {
                artifact: String::new(),
                file: LEDGER_DIR.to_string(),
                pos: Pos::new(1, 1, 0),
                message: format!("{LEDGER_DIR} is not read: {e}"),
            });
            return ledger;
        }
    };
    let Ok(entries) = fs::read_dir(&resolved_dir) else {
        return ledger;
    };
    let mut files: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
            (name.len() > ".yaml".len() && name.ends_with(".yaml")).then_some((name, is_link))
        })
        .collect();
    files.sort();
    // In file order: what each file parsed to, or why it could not be read.
    let mut read_files: Vec<(String, String, ReadLedgerFile)> = Vec::with_capacity(files.len());
    let mut missed = false;
    for (name, is_link) in files {
        let id = name[..name.len() - ".yaml".len()].to_string();
        let file = format!("{LEDGER_DIR}/{id}.yaml");
        // A plain file in the resolved directory is inside the work tree; only a symbolic
        // link needs resolving (one canonicalisation per file cost 60 ms at 4,500 files).
        let read = if is_link {
            fence::read_inside(&ws.repo_root, &dir.join(&name), MAX_LEDGER_BYTES)
        } else {
            fence::read_regular(&resolved_dir.join(&name), MAX_LEDGER_BYTES)
        };
        let parsed = read.map(|bytes| {
            let parsed = cache.take(&file, &bytes).unwrap_or_else(|| {
                missed = true;
                load_ledger_file(&id, &file, &bytes)
            });
            (bytes, parsed)
        });
        read_files.push((id, file, parsed));
    }
    // A file parsed anew, or one gone (its entry was not taken): the cache is rewritten.
    if missed || !cache.is_empty() {
        let entries: Vec<(&str, &[u8], &LedgerFile)> = read_files
            .iter()
            .filter_map(|(_, file, parsed)| {
                let (bytes, parsed) = parsed.as_ref().ok()?;
                Some((file.as_str(), bytes.as_slice(), parsed))
            })
            .collect();
        cache.save(&entries);
    }
    for (id, file, parsed) in read_files {
        match parsed {
            Ok((_, (records, problems))) => {
                ledger.records.insert(id, records);
                ledger.problems.extend(problems);
            }
            Err(e) => ledger.problems.push(LedgerProblem {
                artifact: id,
                file,
                pos: Pos::new(1, 1, 0),
                message: format!("the ledger file cannot be read: {e}"),
            }),
        }
    }
    ledger
}

/// The parsed-input cache in a git directory, or none.
fn parsed_cache<T: serde::Serialize + serde::de::DeserializeOwned>(
    git_dir: Option<&Path>,
    input: Input,
) -> ParsedCache<T> {
    match git_dir {
        Some(dir) => ParsedCache::open(dir, input),
        None => ParsedCache::disabled(input),
    }
}

/// [`load_index_file`] and [`load_ledger`] together: the ledger files do not depend on the
/// index, so they are read on a second thread while the index parses.
pub fn load_index_and_ledger(ws: &Workspace) -> (Result<Index, LoadErrors>, Ledger) {
    load_inputs(ws, true)
}

/// [`load_index_and_ledger`], through the parsed-input caches or (`use_cache` false) not.
pub(crate) fn load_inputs(ws: &Workspace, use_cache: bool) -> (Result<Index, LoadErrors>, Ledger) {
    let git_dir = use_cache.then_some(ws.git_dir.as_path());
    std::thread::scope(|scope| {
        let ledger = scope.spawn(|| load_ledger_through(ws, parsed_cache(git_dir, Input::Ledger)));
        let index = load_index_through(ws, parsed_cache(git_dir, Input::Index));
        (index, crate::repo::threads::join(ledger))
    })
}

/// What [`load_inputs_at`] parsed, by blob: the commits of a line mostly hold the same
/// `handoff.yaml` and ledger files, so reading many of them parses each version once.
#[derive(Default)]
pub struct PastInputs {
    /// By the ids of `handoff.yaml` and of `.mailmap` (if any).
    indexes: HashMap<(git2::Oid, Option<git2::Oid>), Result<Index, LoadErrors>>,
    /// By artifact id and the file's blob id.
    ledger_files: HashMap<(String, git2::Oid), (Vec<SignOff>, Vec<LedgerProblem>)>,
}

/// `handoff.yaml` and the ledger as a past commit's tree holds them (what a clone reset to
/// that commit would load; not through the parsed-input cache: a tree is immutable, and
/// `parsed` keeps what earlier commits of the same run parsed). The mailmap is the commit's
/// too.
pub fn load_inputs_at(
    repo: &git2::Repository,
    ws: &Workspace,
    commit: git2::Oid,
    parsed: &mut PastInputs,
) -> Result<(Result<Index, LoadErrors>, Ledger), git2::Error> {
    let tree = repo.find_commit(commit)?.tree()?;
    let blob_id = |repo_path: &str| tree.get_path(Path::new(repo_path)).ok().map(|e| e.id());
    let content =
        |id: git2::Oid| -> Option<Vec<u8>> { Some(repo.find_blob(id).ok()?.content().to_vec()) };
    let index_path = format!("{}{INDEX_FILE}", ws.prefix);
    let index = match blob_id(&index_path).and_then(|id| Some((id, content(id)?))) {
        Some((id, bytes)) => {
            let mailmap_id = blob_id(MAILMAP_FILE);
            parsed
                .indexes
                .entry((id, mailmap_id))
                .or_insert_with(|| {
                    load_index(INDEX_FILE, &bytes).map(|mut index| {
                        let mailmap = mailmap_id
                            .and_then(content)
                            .map(|b| Mailmap::parse(&String::from_utf8_lossy(&b)))
                            .unwrap_or_default();
                        index.use_mailmap(mailmap);
                        index
                    })
                })
                .clone()
        }
        None => Err(LoadError::new(
            INDEX_FILE,
            Pos::new(1, 1, 0),
            format!("{INDEX_FILE} is not in commit {commit}"),
        )
        .into()),
    };
    let mut ledger = Ledger::default();
    let dir = format!("{}{LEDGER_DIR}", ws.prefix);
    if let Some(dir_tree) = tree
        .get_path(Path::new(&dir))
        .ok()
        .and_then(|e| repo.find_tree(e.id()).ok())
    {
        let mut names: Vec<String> = dir_tree
            .iter()
            .filter_map(|e| e.name().ok().map(str::to_string))
            .filter(|name| name.len() > ".yaml".len() && name.ends_with(".yaml"))
            .collect();
        names.sort();
        for name in names {
            let id = name[..name.len() - ".yaml".len()].to_string();
            let Some(blob) = blob_id(&format!("{dir}/{name}")) else {
                continue;
            };
            let key = (id.clone(), blob);
            let (records, problems) = match parsed.ledger_files.get(&key) {
                Some(found) => found.clone(),
                None => {
                    let Some(bytes) = content(blob) else {
                        continue;
                    };
                    let file = format!("{LEDGER_DIR}/{id}.yaml");
                    let found = load_ledger_file(&id, &file, &bytes);
                    parsed.ledger_files.insert(key, found.clone());
                    found
                }
            };
            ledger.records.insert(id, records);
            ledger.problems.extend(problems);
        }
    }
    Ok((index, ledger))
}

/// The review points a commit's tree holds (`.handoff/reviews.yaml`; none when it is absent).
pub fn load_review_points_at(
    repo: &git2::Repository,
    ws: &Workspace,
    commit: git2::Oid,
) -> Result<Result<Vec<ReviewPoint>, LoadErrors>, git2::Error> {
    let tree = repo.find_commit(commit)?.tree()?;
    let Ok(entry) = tree.get_path(Path::new(&ws.repo_path(REVIEWS_FILE))) else {
        return Ok(Ok(Vec::new()));
    };
    let blob = repo.find_blob(entry.id())?;
    Ok(load_review_points(blob.content()))
}
