//! Signing handoff's commits as git would when the repository asks for signed commits
//! (`commit.gpgSign`): libgit2 signs nothing, and a branch protected by "require signed
//! commits" rejects every unsigned commit at push. The signature is made by the program git
//! would run, for the format git would use (`gpg.format`: `openpgp`, `x509` or `ssh`), with
//! the key git would use (`user.signingKey`). When signing is asked for and fails, the commit
//! is refused: handoff never makes an unsigned commit where signing is configured.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use git2::{Config, Repository, Signature};

use super::commit::CommitError;

/// How to sign, read from git configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Signer {
    /// `gpg` (or `gpgsm` for x509): `<program> --status-fd=2 -bsau <key>`.
    Gpg { program: String, key: String },
    /// `ssh-keygen -Y sign -n git -f <key>`; `literal` keys are given to the agent (`-U`).
    Ssh {
        program: String,
        key: String,
        literal: bool,
    },
}

/// The signer the configuration asks for, or `None` when commits are not signed.
pub(crate) fn configured(
    repo: &Repository,
    committer: &Signature,
) -> Result<Option<Signer>, CommitError> {
    let config = repo.config()?.snapshot()?;
    if !config.get_bool("commit.gpgSign").unwrap_or(false) {
        return Ok(None);
    }
    let format = string(&config, "gpg.format").unwrap_or_else(|| "openpgp".into());
    let key = string(&config, "user.signingKey");
    let signer = match format.as_str() {
        "openpgp" => Signer::Gpg {
            program: string(&config, "gpg.openpgp.program")
                .or_else(|| string(&config, "gpg.program"))
                .unwrap_or_else(|| "gpg".into()),
            key: key.unwrap_or_else(|| {
                format!(
                    "{} <{}>",
                    committer.name().unwrap_or_default(),
                    committer.email().unwrap_or_default()
                )
            }),
        },
        "x509" => Signer::Gpg {
            program: string(&config, "gpg.x509.program").unwrap_or_else(|| "gpgsm".into()),
            key: key.unwrap_or_else(|| committer.email().unwrap_or_default().to_string()),
        },
        "ssh" => {
            let Some(key) = key else {
                return Err(refused(
                    "`commit.gpgSign` is set with `gpg.format = ssh`, but `user.signingKey` is not: set it to your SSH key (`git config user.signingKey ~/.ssh/id_ed25519.pub`)",
                ));
            };
            let (key, literal) = match key.strip_prefix("key::") {
                Some(k) => (k.to_string(), true),
                None if key.starts_with("ssh-") => (key, true),
                None => (expand_home(&key), false),
            };
            Signer::Ssh {
                program: string(&config, "gpg.ssh.program").unwrap_or_else(|| "ssh-keygen".into()),
                key,
                literal,
            }
        }
        other => {
            return Err(refused(&format!(
                "`commit.gpgSign` is set, but `gpg.format = {other}` is not a format git knows (openpgp, x509, ssh)"
            )));
        }
    };
    Ok(Some(signer))
}

fn string(config: &Config, key: &str) -> Option<String> {
    config.get_string(key).ok().filter(|v| !v.trim().is_empty())
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest).display().to_string(),
        _ => path.to_string(),
    }
}

fn refused(reason: &str) -> CommitError {
    CommitError::Signing(reason.to_string())
}

impl Signer {
    /// The signature of `content` (a commit object's text), ASCII-armoured.
    pub fn sign(&self, content: &[u8]) -> Result<String, CommitError> {
        match self {
            Signer::Gpg { program, key } => sign_gpg(program, key, content),
            Signer::Ssh {
                program,
                key,
                literal,
            } => sign_ssh(program, key, *literal, content),
        }
    }
}

fn failed(program: &str, detail: &str) -> CommitError {
    let detail = detail
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("[GNUPG:]"))
        .take(5)
        .map(crate::core::text::sanitize)
        .collect::<Vec<_>>()
        .join("; ");
    refused(&format!(
        "`commit.gpgSign` is set and `{program}` could not sign the commit{}",
        if detail.is_empty() {
            String::new()
        } else {
            format!(": {detail}")
        }
    ))
}

fn sign_gpg(program: &str, key: &str, content: &[u8]) -> Result<String, CommitError> {
    let mut child = Command::new(program)
        .args(["--status-fd=2", "-bsau", key])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(program, &e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A program that exits early closes its input; its exit status says why.
        let _ = stdin.write_all(content);
    }
    let output = child
        .wait_with_output()
        .map_err(|e| failed(program, &e.to_string()))?;
    let status = String::from_utf8_lossy(&output.stderr);
    // As git: success is the exit status and gpg's own word that it made a signature.
    if !output.status.success() || !status.contains("[GNUPG:] SIG_CREATED ") {
        return Err(failed(program, &status));
    }
    String::from_utf8(output.stdout).map_err(|_| failed(program, "its signature is not text"))
}

fn sign_ssh(
    program: &str,
    key: &str,
    literal: bool,
    content: &[u8],
) -> Result<String, CommitError> {
    let dir = tempfile::tempdir().map_err(|e| failed(program, &e.to_string()))?;
    let buffer = dir.path().join("commit");
    std::fs::write(&buffer, content).map_err(|e| failed(program, &e.to_string()))?;
    let key_file = if literal {
        let file = dir.path().join("key.pub");
        std::fs::write(&file, format!("{key}\n")).map_err(|e| failed(program, &e.to_string()))?;
        file
    } else {
        PathBuf::from(key)
    };
    let mut command = Command::new(program);
    command
        .args(["-Y", "sign", "-n", "git", "-f"])
        .arg(&key_file);
    if literal {
        command.arg("-U");
    }
    let output = command
        .arg(&buffer)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| failed(program, &e.to_string()))?;
    if !output.status.success() {
        return Err(failed(program, &String::from_utf8_lossy(&output.stderr)));
    }
    std::fs::read_to_string(dir.path().join("commit.sig"))
        .map_err(|e| failed(program, &format!("no signature was written ({e})")))
}
