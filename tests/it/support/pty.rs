//! The real binary in a pseudo-terminal: every byte it writes is kept raw (to look for escape
//! sequences) and fed to a terminal emulator (vt100, to read the screen); the pty's terminal
//! modes can be read after the process is gone.

#![allow(dead_code)] // Each test binary uses a different part of the helpers.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct Session {
    pub screen: Arc<Mutex<vt100::Parser>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    master: Arc<Mutex<Box<dyn MasterPty + Send>>>,
    _home: tempfile::TempDir,
}

impl Session {
    /// Starts handoff with `args` in `dir`, with extra environment variables.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let home = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_handoff"));
        cmd.args(args);
        cmd.cwd(dir);
        cmd.env("HANDOFF_NOW", crate::common::NOW);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("GIT_CONFIG_NOSYSTEM", "1");
        cmd.env_remove("NO_COLOR");
        for (key, value) in env {
            cmd.env(key, value);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let master = Arc::new(Mutex::new(pair.master));
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s, r, m) = (screen.clone(), raw.clone(), master.clone());
        std::thread::spawn(move || {
            let _master = m;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session {
            screen,
            raw,
            writer,
            child,
            master,
            _home: home,
        }
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn raw_bytes(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    pub fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.contents();
            if screen.contains(what) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "`{what}` never appeared; the screen was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn wait_until_gone(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.contents();
            if !screen.contains(what) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "`{what}` never went; the screen was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Keys sent apart, as a person types: an Esc followed at once by a letter reads as Alt.
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Kills the process (SIGKILL), as a crash would end it.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
    }

    /// Waits for the process to end; its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader drain what was written last.
                std::thread::sleep(Duration::from_millis(300));
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "handoff did not exit; screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Whether the terminal is in canonical mode with echo (not raw), as read from the pty.
    #[cfg(unix)]
    pub fn cooked(&self) -> bool {
        let master = self.master.lock().unwrap();
        let fd = master.as_raw_fd().expect("a pty on unix");
        // SAFETY: `termios` is plain data; tcgetattr fills it from a valid, open descriptor.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        let read = unsafe { libc::tcgetattr(fd, &mut termios) };
        assert_eq!(read, 0, "tcgetattr on the pty");
        termios.c_lflag & libc::ICANON != 0 && termios.c_lflag & libc::ECHO != 0
    }
}
