//! Output files: written whole or not at all, and never replacing anything but a regular file.
//!
//! Every command that writes a file goes through [`OutputFile`] (or [`Output`], which adds
//! stdout). What `--output PATH` does depends on what is at `PATH` ([`classify`]):
//!
//! | at `PATH` | what happens |
//! | --- | --- |
//! | nothing (its directory exists) | a temp file in the same directory, renamed to `PATH` on [`OutputFile::commit`] |
//! | a regular file | the same, replacing it; its permission bits are kept |
//! | a FIFO or character device (`/dev/null`, a named pipe) | written through, never replaced or renamed over |
//! | one of the process's open files by descriptor (`/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`), whatever it is | written through that descriptor (so `>> log` appends), never replaced |
//! | a directory, socket or block device, or a missing directory | refused ([`OutputError::Refused`]) |
//! | a symbolic link | followed: the rules apply to its target, and the link stays a link |
//! | one of the command's inputs (the same device and inode) | refused ([`refuse_overwriting`]) |
//!
//! The temp file is a [`tempfile::NamedTempFile`]: an error path, a panic or a drop without
//! commit removes it. `std::process::exit` runs no destructor, so every temp file is also
//! registered with a [`Shutdown`]; a signal handler that must leave at once calls
//! [`Shutdown::abandon`], which removes them first. The same lock orders commits and
//! abandonment: once a stop is requested, no temp-backed output is committed.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tempfile::NamedTempFile;

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// `PATH` names something ccsim does not write to (a directory, a socket, a block device)
    /// or lies in a directory that does not exist: the user's input, exit code 2.
    #[error("{path}: {why}")]
    Refused {
        /// The path as given.
        path: PathBuf,
        /// What is there, and what is allowed instead.
        why: String,
    },
    /// Reading the file system or writing failed (disk full, permissions, …). The cause is
    /// the error's source (shown by `{:#}`), not repeated in its message.
    #[error("cannot write {path}")]
    Io {
        /// The path as given (or the temp file's directory when that could not be created).
        path: PathBuf,
        /// The error of the operating system.
        #[source]
        source: io::Error,
    },
    /// A stop was requested (a signal) before the file was committed; nothing was written.
    #[error("stopped before {path} was written")]
    Stopped {
        /// The path as given.
        path: PathBuf,
    },
}

impl OutputError {
    /// Whether the error is the user's input (exit code 2) rather than a failure (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, OutputError::Refused { .. })
    }
}

fn refused(path: &Path, why: impl Into<String>) -> OutputError {
    OutputError::Refused {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What writing to a path means, decided by what is there now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing is there: create the file through a temp file in `dir`.
    New {
        /// Where the file will be (a dangling symbolic link resolved to its target).
        path: PathBuf,
        /// Its directory (exists).
        dir: PathBuf,
    },
    /// A regular file (a symbolic link resolved to it): replace it through a temp file in
    /// `dir`, keeping `mode`.
    Replace {
        /// The regular file, symbolic links resolved.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
        /// Its permission bits, given to the replacement.
        mode: u32,
    },
    /// A FIFO or character device: opened for writing and written through.
    Through {
        /// The path as given (opening it follows any link, e.g. `/dev/stdout`).
        path: PathBuf,
    },
}

impl Target {
    /// Whether the output is a regular file (new or replaced), as opposed to a stream.
    pub fn is_regular(&self) -> bool {
        !matches!(self, Target::Through { .. })
    }

    /// The regular file's path after symbolic links (`None` for a stream).
    pub fn regular_path(&self) -> Option<&Path> {
        match self {
            Target::New { path, .. } | Target::Replace { path, .. } => Some(path),
            Target::Through { .. } => None,
        }
    }
}

/// Most symbolic links followed when resolving a dangling link (as the kernel's `ELOOP`).
const MAX_LINKS: usize = 40;

/// Decides what writing to `path` would do, without writing anything. Cost: a few `stat`s.
///
/// # Errors
/// [`OutputError::Refused`] for a directory, socket, block device, a path without a file name,
/// a missing directory or a symbolic-link loop; [`OutputError::Io`] when the file system
/// cannot be read.
pub fn classify(path: &Path) -> Result<Target, OutputError> {
    if path.as_os_str().is_empty() {
        return Err(refused(path, "an empty path; give a file name"));
    }
    // `/dev/stdout` is a link to `/proc/self/fd/1`, which links to whatever stdout is: with
    // stdout redirected to a file, following the links found a regular file and replaced it
    // by rename, losing what `>> log` had appended before and what a `{ …; } > file` group
    // wrote around the report. A descriptor is the shell's to manage: write through it.
    if let Some(fd) = fd_alias(path) {
        return match fd_access_mode(fd) {
            // Reopening a read-only descriptor for writing opens its file anew: for a pipe
            // on stdin, the pipe's own write end, which nobody reads — the run hung once
            // the pipe was full; for `< file`, the input file itself.
            Some(0) => Err(refused(
                path,
                format!(
                    "descriptor {fd}{} is open for reading only; name a file or a descriptor \
                     open for writing (/dev/stdout)",
                    if fd == 0 { " (standard input)" } else { "" }
                ),
            )),
            Some(_) => Ok(Target::Through {
                path: path.to_path_buf(),
            }),
            None => Err(refused(
                path,
                format!("descriptor {fd} is not open in this process (e.g. `3> file`)"),
            )),
        };
    }
    match std::fs::metadata(path) {
        Ok(meta) => {
            let t = meta.file_type();
            if t.is_file() {
                let real = std::fs::canonicalize(path).map_err(io_error(path))?;
                let dir = parent_of(&real);
                Ok(Target::Replace {
                    path: real,
                    dir,
                    mode: meta.permissions().mode() & 0o7777,
                })
            } else if t.is_fifo() || t.is_char_device() {
                Ok(Target::Through {
                    path: path.to_path_buf(),
                })
            } else {
                let what = if t.is_dir() {
                    "a directory"
                } else if t.is_socket() {
                    "a socket"
                } else if t.is_block_device() {
                    "a block device"
                } else {
                    "not a regular file"
                };
                Err(refused(
                    path,
                    format!("is {what}; --output takes a file name (a new or regular file, a FIFO or a character device such as /dev/null)"),
                ))
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let target = resolve_dangling(path)?;
            if target.file_name().is_none() || path.to_string_lossy().ends_with('/') {
                return Err(refused(path, "names a directory; give a file name"));
            }
            let dir = parent_of(&target);
            match std::fs::metadata(&dir) {
                Ok(m) if m.is_dir() => Ok(Target::New { path: target, dir }),
                Ok(_) => Err(refused(
                    path,
                    format!("{} is not a directory", dir.display()),
                )),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Err(refused(
                    path,
                    format!(
                        "the directory {} does not exist (create it first)",
                        dir.display()
                    ),
                )),
                Err(e) => Err(io_error(path)(e)),
            }
        }
        Err(e) => Err(io_error(path)(e)),
    }
}

/// The directory a file lives in (`.` for a bare name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The descriptor `path` names when it is one of the process's open files by descriptor
/// (`/dev/stdout`, `/dev/fd/2`, `/proc/self/fd/N`, through any chain of links), `None`
/// otherwise. Each step's directory is compared with `/proc/self/fd` after resolving links,
/// so every spelling is caught and nothing past the descriptor's own link is followed.
fn fd_alias(path: &Path) -> Option<i32> {
    let fds = std::fs::canonicalize("/proc/self/fd").ok()?;
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let n = p.file_name().and_then(|n| n.to_str()?.parse::<i32>().ok());
        if let Some(n) = n {
            if std::fs::canonicalize(parent_of(&p)).is_ok_and(|d| d == fds) {
                return Some(n);
            }
        }
        let meta = std::fs::symlink_metadata(&p).ok()?;
        if !meta.file_type().is_symlink() {
            return None;
        }
        let to = std::fs::read_link(&p).ok()?;
        p = if to.is_absolute() {
            to
        } else {
            parent_of(&p).join(to)
        };
    }
    None
}

/// The access mode of this process's descriptor `fd` (0 read only, 1 write only, 2 read and
/// write), `None` when it is not open. From `/proc/self/fdinfo`, whose `flags` are octal.
fn fd_access_mode(fd: i32) -> Option<u32> {
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).ok()?;
    let flags = info.lines().find_map(|l| l.strip_prefix("flags:"))?;
    u32::from_str_radix(flags.trim(), 8).ok().map(|f| f & 0o3)
}

/// Follows a chain of symbolic links that ends at nothing, to where the file would be
/// created (what a shell's `>` does). A path that is no link is returned as is.
fn resolve_dangling(path: &Path) -> Result<PathBuf, OutputError> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(io_error(path))?;
                p = if to.is_absolute() {
                    to
                } else {
                    parent_of(&p).join(to)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(refused(path, "too many levels of symbolic links"))
}

/// What a stopping process must undo: the temp files of outputs not yet committed. Also
/// carries the stop flag that runners check between replications. Cheap to clone (shared).
///
/// One lock orders three things: registering/removing temp files, committing an output
/// (rename), and abandoning the process. So a commit is either complete before a forced exit
/// or never happens, and a [`Shutdown::critical`] section (e.g. appending one sweep point)
/// is never cut in half by one.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    stop: Arc<AtomicBool>,
    live: Arc<Mutex<Live>>,
}

#[derive(Debug, Default)]
struct Live {
    next: u64,
    temps: Vec<(u64, PathBuf)>,
}

impl Shutdown {
    /// A fresh state: not stopped, no temp file.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// The flag a runner checks between replications (set by [`Shutdown::request_stop`]).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Asks every runner to stop; from now on temp-backed outputs refuse to commit.
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was requested.
    pub fn is_stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` so that [`Shutdown::abandon`] waits for it to finish. Keep `f` short (one
    /// write), and do not commit an output inside it (the lock is not reentrant).
    pub fn critical<R>(&self, f: impl FnOnce() -> R) -> R {
        let _guard = self.lock();
        f()
    }

    /// For a process that must leave now (a second signal, or a stop that takes too long):
    /// sets the stop flag, waits for a running commit or critical section, removes every
    /// registered temp file, then calls `exit` (meant to be `std::process::exit`) with the
    /// lock still held, so nothing commits afterwards.
    pub fn abandon<R>(&self, exit: impl FnOnce() -> R) -> R {
        self.request_stop();
        let live = self.lock();
        for (_, p) in &live.temps {
            let _ = std::fs::remove_file(p);
        }
        exit()
    }

    /// The temp files currently registered (for tests and diagnostics).
    pub fn temp_files(&self) -> Vec<PathBuf> {
        self.lock().temps.iter().map(|(_, p)| p.clone()).collect()
    }

    fn register(&self, live: &mut Live, path: PathBuf) -> u64 {
        live.next += 1;
        live.temps.push((live.next, path));
        live.next
    }
}

/// A file being written: `Write` (buffered), then [`OutputFile::commit`]. Dropped without a
/// commit it leaves nothing behind (a new or replaced file is untouched; a stream may have
/// received part of the data, as a pipe does).
pub struct OutputFile {
    /// The path as given, for messages.
    shown: PathBuf,
    state: Option<State>,
    shutdown: Shutdown,
}

enum State {
    /// A regular file through a temp file; `id` is its registration with the [`Shutdown`].
    Temp {
        writer: BufWriter<NamedTempFile>,
        dest: PathBuf,
        id: u64,
    },
    /// A FIFO or device, opened at the first write (so an idle FIFO does not block the run).
    Through {
        writer: Option<BufWriter<File>>,
        path: PathBuf,
    },
}

impl std::fmt::Debug for OutputFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputFile")
            .field("path", &self.shown)
            .finish_non_exhaustive()
    }
}

impl OutputFile {
    /// Prepares to write `path` (see the module table). A new or regular file gets its temp
    /// file now, so an unwritable directory is reported before any work; a FIFO or device
    /// is opened at the first write.
    ///
    /// # Errors
    /// As [`classify`], plus [`OutputError::Io`] when the temp file cannot be created.
    pub fn create(path: &Path, shutdown: &Shutdown) -> Result<OutputFile, OutputError> {
        let target = classify(path)?;
        OutputFile::create_target(path, target, shutdown)
    }

    /// As [`OutputFile::create`] for a target already classified (`shown` is the path as the
    /// user gave it, for messages).
    pub fn create_target(
        shown: &Path,
        target: Target,
        shutdown: &Shutdown,
    ) -> Result<OutputFile, OutputError> {
        let state = match target {
            Target::Through { path } => State::Through { writer: None, path },
            Target::New { path, dir } => temp_state(shown, path, &dir, None, shutdown)?,
            Target::Replace { path, dir, mode } => {
                temp_state(shown, path, &dir, Some(mode), shutdown)?
            }
        };
        Ok(OutputFile {
            shown: shown.to_path_buf(),
            state: Some(state),
            shutdown: shutdown.clone(),
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// A FIFO or device, written through: what goes out cannot be taken back.
    pub fn is_stream(&self) -> bool {
        matches!(self.state, Some(State::Through { .. }))
    }

    /// Appends `len` bytes of `src` from byte `at` and returns how many there were (fewer
    /// when `src` ends first). Into a temp file the copy stays in the kernel
    /// (`copy_file_range` through `std::io::copy`'s file-to-file path): a 1 GB sweep, whose
    /// finished file is rewritten in point order, took 0.5 s longer (of about 5) copying
    /// through user space in 8 KiB reads.
    ///
    /// # Errors
    /// A read of `src` or a write failing.
    pub fn append_from(&mut self, src: &File, at: u64, len: u64) -> io::Result<u64> {
        use std::io::{Read, Seek, SeekFrom};
        let mut src = src;
        src.seek(SeekFrom::Start(at))?;
        let mut block = src.take(len);
        let shown = &self.shown;
        match &mut self.state {
            Some(State::Temp { writer, .. }) => {
                // What the writer holds goes first; the temp file's position is its end.
                writer.flush().map_err(|e| with_path(shown, e))?;
                std::io::copy(&mut block, writer.get_mut().as_file_mut())
                    .map_err(|e| with_path(shown, e))
            }
            _ => std::io::copy(&mut block, self),
        }
    }

    /// Finishes the file: flushes, syncs and renames the temp file over the destination (a
    /// reader sees the old file or the whole new one, never a part), or flushes a stream.
    ///
    /// # Errors
    /// [`OutputError::Io`] when a write, the sync or the rename fails (the temp file is then
    /// removed); [`OutputError::Stopped`] when a stop was requested (nothing is renamed).
    pub fn commit(mut self) -> Result<(), OutputError> {
        let shown = self.shown.clone();
        match self.state.take() {
            None => Ok(()),
            Some(State::Through { writer, path }) => {
                let mut w = match writer {
                    Some(w) => w,
                    // Nothing written yet: still open it, so an empty report reaches a FIFO.
                    None => BufWriter::new(open_through(&path).map_err(io_error(&shown))?),
                };
                w.flush().map_err(io_error(&shown))
            }
            Some(State::Temp { writer, dest, id }) => {
                // On error both the writer and the temp file are dropped, which removes it.
                let temp = writer
                    .into_inner()
                    .map_err(|e| io_error(&shown)(e.into_error()))?;
                temp.as_file().sync_all().map_err(io_error(&shown))?;
                let mut live = self.shutdown.lock();
                live.temps.retain(|(i, _)| *i != id);
                if self.shutdown.is_stopped() {
                    drop(temp);
                    return Err(OutputError::Stopped { path: shown });
                }
                temp.persist(&dest)
                    .map(drop)
                    .map_err(|e| io_error(&shown)(e.error))
            }
        }
    }
}

fn temp_state(
    shown: &Path,
    dest: PathBuf,
    dir: &Path,
    mode: Option<u32>,
    shutdown: &Shutdown,
) -> Result<State, OutputError> {
    let name = dest
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    // File names stop at 255 bytes: the temp name adds 12 (`.`, `.XXXXXX.tmp`), so a long
    // name is cut for it (a 250-byte output name failed with "File name too long").
    let mut cut = name.len().min(200);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let prefix = format!(".{}.", &name[..cut]);
    // Registration and creation under one lock: an abandon in between cannot miss the file.
    let mut live = shutdown.lock();
    let temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        // New files get what `fs::write` gives (0666 less the umask), not tempfile's 0600.
        .permissions(Permissions::from_mode(mode.unwrap_or(0o666)))
        .tempfile_in(dir)
        .map_err(|e| OutputError::Io {
            path: shown.to_path_buf(),
            source: io::Error::new(
                e.kind(),
                format!("cannot create a temporary file in {}: {e}", dir.display()),
            ),
        })?;
    if let Some(mode) = mode {
        // The umask narrowed the bits at creation; a replaced file keeps exactly its own.
        temp.as_file()
            .set_permissions(Permissions::from_mode(mode))
            .map_err(io_error(shown))?;
    }
    let id = shutdown.register(&mut live, temp.path().to_path_buf());
    Ok(State::Temp {
        writer: BufWriter::with_capacity(1 << 16, temp),
        dest,
        id,
    })
}

fn open_through(path: &Path) -> io::Result<File> {
    use std::os::fd::AsFd;
    match fd_alias(path) {
        // The descriptor itself (a duplicate shares its offset): the report lands where the
        // shell's next write would, after what came before and before what follows.
        Some(1) => {
            // Opened at the first write: from here on stdout holds part of a report, which
            // is what a stopped command must say (see `stdout_written`).
            STDOUT_WRITTEN.store(true, Ordering::Relaxed);
            Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
        }
        Some(2) => Ok(File::from(io::stderr().as_fd().try_clone_to_owned()?)),
        // Another descriptor (`3> file`): opened anew, appending, so nothing is overwritten.
        Some(_) => OpenOptions::new().append(true).open(path),
        // No truncate, no create: a FIFO or device is used as it is.
        None => OpenOptions::new().write(true).open(path),
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if let Some(State::Temp { writer, id, .. }) = self.state.take() {
            // Remove the file and its registration together (see `temp_state`).
            let mut live = self.shutdown.lock();
            drop(writer);
            live.temps.retain(|(i, _)| *i != id);
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let shown = &self.shown;
        let r = match &mut self.state {
            Some(State::Temp { writer, .. }) => writer.write(buf),
            Some(State::Through { writer, path }) => match writer {
                Some(w) => w.write(buf),
                None => open_through(path).and_then(|f| {
                    writer
                        .insert(BufWriter::with_capacity(1 << 16, f))
                        .write(buf)
                }),
            },
            None => Ok(0),
        };
        r.map_err(|e| with_path(shown, e))
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = match &mut self.state {
            Some(State::Temp { writer, .. }) => writer.flush(),
            Some(State::Through {
                writer: Some(w), ..
            }) => w.flush(),
            _ => Ok(()),
        };
        r.map_err(|e| with_path(&self.shown, e))
    }
}

/// Names the file in a write error (the report code only sees `io::Error`), keeping its
/// kind so a broken pipe is still recognised.
fn with_path(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
}

/// Where a report goes: stdout or an [`OutputFile`]. Write it, then [`Output::commit`].
#[derive(Debug)]
pub enum Output {
    /// Standard output (buffered); committing flushes it.
    Stdout(BufWriter<io::Stdout>),
    /// A file.
    File(OutputFile),
}

impl Output {
    /// Stdout when `path` is `None`, else [`OutputFile::create`].
    pub fn open(path: Option<&Path>, shutdown: &Shutdown) -> Result<Output, OutputError> {
        match path {
            None => Ok(Output::Stdout(BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            ))),
            Some(p) => OutputFile::create(p, shutdown).map(Output::File),
        }
    }

    /// Stdout, a FIFO or a device: bytes written go out at once and are not taken back on
    /// failure (a regular file is replaced only when committed).
    pub fn is_stream(&self) -> bool {
        match self {
            Output::Stdout(_) => true,
            Output::File(f) => f.is_stream(),
        }
    }

    /// Flushes stdout, or commits the file.
    pub fn commit(self) -> Result<(), OutputError> {
        match self {
            Output::Stdout(mut w) => w.flush().map_err(|source| OutputError::Io {
                path: "stdout".into(),
                source,
            }),
            Output::File(f) => f.commit(),
        }
    }
}

/// Refuses an output that would replace one of the command's inputs: `outputs` and `inputs`
/// are (what the command line calls it, path) pairs. An output that is an existing regular
/// file and the same file (device and inode, so links and `./` spellings count) as an input,
/// or as another output, is refused (exit 2): written whole, it would replace the scenario,
/// sweep file or shard it is computed from (`run s.toml --format json --output s.toml`
/// replaced the scenario by its report). FIFOs and devices are written through, never
/// replaced, so they pass.
pub fn refuse_overwriting(
    outputs: &[(&str, &Path)],
    inputs: &[(&str, &Path)],
) -> Result<(), OutputError> {
    use std::os::unix::fs::MetadataExt;
    // An existing regular file by device and inode; a file still to be created by where it
    // will be (its directory after links, and its name), so `./x.csv`, `sub/../x.csv` and a
    // dangling link to `x.csv` are one file: two outputs there would each rename over the
    // other's (`run --output ./x.csv --trace x.csv` kept the report and lost the trace).
    #[derive(PartialEq)]
    enum Id {
        File(u64, u64),
        New(PathBuf),
    }
    let id = |p: &Path| match std::fs::metadata(p) {
        Ok(m) if m.file_type().is_file() => Some(Id::File(m.dev(), m.ino())),
        Ok(_) => None,
        Err(_) => match classify(p) {
            Ok(Target::New { path, dir }) => {
                let dir = std::fs::canonicalize(dir).ok()?;
                Some(Id::New(dir.join(path.file_name()?)))
            }
            _ => None,
        },
    };
    for (i, &(what, out)) in outputs.iter().enumerate() {
        let Some(out_id) = id(out) else { continue };
        let clash = inputs
            .iter()
            .chain(&outputs[..i])
            .find(|(_, p)| id(p).as_ref() == Some(&out_id));
        if let Some((other, p)) = clash {
            return Err(refused(
                out,
                format!(
                    "{what} names the same file as {other} {}: writing it would replace that file; choose another path",
                    p.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Set once any byte of a report has been handed to stdout (see [`stdout_written`]).
static STDOUT_WRITTEN: AtomicBool = AtomicBool::new(false);

/// True once some report output has gone to stdout in this process (what is in the buffer
/// goes out too: a dropped [`Output::Stdout`] flushes it), so a command stopped midway can
/// say whether stdout holds a partial report or nothing.
pub fn stdout_written() -> bool {
    STDOUT_WRITTEN.load(Ordering::Relaxed)
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => {
                if !buf.is_empty() {
                    STDOUT_WRITTEN.store(true, Ordering::Relaxed);
                }
                w.write(buf)
            }
            Output::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File(f) => f.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_writes_whole_and_drop_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let sd = Shutdown::new();
        let path = dir.path().join("out.json");
        let mut f = OutputFile::create(&path, &sd).unwrap();
        f.write_all(b"half").unwrap();
        assert_eq!(sd.temp_files().len(), 1);
        assert!(!path.exists(), "nothing at the destination before commit");
        drop(f);
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
        assert!(sd.temp_files().is_empty());

        let mut f = OutputFile::create(&path, &sd).unwrap();
        f.write_all(b"whole").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"whole");
        assert_eq!(names(dir.path()), vec!["out.json"]);
    }

    /// A byte range of another file lands after what was written and before what follows,
    /// in a temp file (kernel copy) and through a FIFO (read and written) alike.
    #[test]
    fn append_from_copies_a_range_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let sd = Shutdown::new();
        let src_path = dir.path().join("src.txt");
        std::fs::write(&src_path, b"0123456789").unwrap();
        let src = File::open(&src_path).unwrap();
        let write = |f: &mut OutputFile| {
            f.write_all(b"head:").unwrap();
            assert_eq!(f.append_from(&src, 2, 3).unwrap(), 3);
            f.write_all(b"|").unwrap();
            assert_eq!(
                f.append_from(&src, 8, 5).unwrap(),
                2,
                "the source ends first"
            );
        };
        let path = dir.path().join("out.csv");
        let mut f = OutputFile::create(&path, &sd).unwrap();
        write(&mut f);
        f.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"head:234|89");

        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: the temp-file case above still ran
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        let mut f = OutputFile::create(&fifo, &sd).unwrap();
        write(&mut f);
        f.commit().unwrap();
        assert_eq!(reader.join().unwrap(), b"head:234|89");
    }

    #[test]
    fn a_panic_while_writing_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let r = std::panic::catch_unwind(|| {
            let mut f = OutputFile::create(&path, &Shutdown::new()).unwrap();
            f.write_all(b"x").unwrap();
            panic!("report failed");
        });
        assert!(r.is_err());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn replacing_keeps_the_mode_and_a_stop_blocks_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.txt");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        let sd = Shutdown::new();
        let mut f = OutputFile::create(&path, &sd).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);

        let mut f = OutputFile::create(&path, &sd).unwrap();
        f.write_all(b"newer").unwrap();
        sd.request_stop();
        assert!(matches!(f.commit(), Err(OutputError::Stopped { .. })));
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(names(dir.path()), vec!["r.txt"]);
    }

    #[test]
    fn classify_refuses_what_is_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = classify(dir.path()).unwrap_err();
        assert!(
            e.is_bad_input() && e.to_string().contains("a directory"),
            "{e}"
        );
        let e = classify(&dir.path().join("no/such/dir/x.json")).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        let sock = dir.path().join("s.sock");
        let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        assert!(classify(&sock)
            .unwrap_err()
            .to_string()
            .contains("a socket"));
        assert_eq!(
            classify(Path::new("/dev/null")).unwrap(),
            Target::Through {
                path: "/dev/null".into()
            }
        );
        assert!(matches!(
            classify(Path::new("plain-name.json")).unwrap(),
            Target::New { dir, .. } if dir == Path::new(".")
        ));
    }

    #[test]
    fn symlinks_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        let sd = Shutdown::new();
        let mut f = OutputFile::create(&link, &sd).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A dangling link creates its target, as a shell's `>` does.
        let dangling = dir.path().join("d.csv");
        std::os::unix::fs::symlink("made.csv", &dangling).unwrap();
        let mut f = OutputFile::create(&dangling, &sd).unwrap();
        f.write_all(b"made").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(dir.path().join("made.csv")).unwrap(), b"made");
        assert!(std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn abandon_removes_registered_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let sd = Shutdown::new();
        let f = OutputFile::create(&dir.path().join("a.json"), &sd).unwrap();
        let temps = sd.temp_files();
        assert_eq!(temps.len(), 1);
        assert!(temps[0].exists());
        // `abandon` never returns: let its `exit` unwind instead of ending the test process.
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sd.abandon(|| -> () { panic!("exit") });
        }));
        assert!(r.is_err());
        assert!(sd.is_stopped());
        assert!(!temps[0].exists());
        drop(f);
    }
}
