//! PgBouncer in transaction pooling mode in front of a test's PostgreSQL database: Debian's
//! `pgbouncer`, started by the test that needs it on a free port, stopped with it.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// Where Debian installs it (`.ci/run` installs the package).
const BINARY: &str = "/usr/sbin/pgbouncer";

/// A running PgBouncer; killed when dropped.
pub struct PgBouncer {
    _child: Child,
    _dir: tempfile::TempDir,
    /// `postgres://user@127.0.0.1:port/database`: the database, through the pooler.
    pub url: String,
}

impl PgBouncer {
    /// Starts PgBouncer (transaction pooling, `pool_size` server connections per database)
    /// in front of the server of `direct` (`postgres://user@host:port/database`).
    pub async fn start(direct: &str, pool_size: u32) -> PgBouncer {
        assert!(
            std::path::Path::new(BINARY).exists(),
            "PgBouncer is not installed: apt-get install pgbouncer (.ci/run does)"
        );
        let (user, host, port, database) = parts(direct);
        let listen = free_port();
        let dir = tempfile::tempdir().expect("a temporary directory");
        // PgBouncer will not run as root: it drops to `nobody`, who must read its files.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let write = |name: &str, text: String| {
            let path = dir.path().join(name);
            let mut f = std::fs::File::create(&path).expect("a config file");
            f.write_all(text.as_bytes()).expect("written");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            path
        };
        let users = write("users.txt", format!("\"{user}\" \"\"\n"));
        let ini = write(
            "pgbouncer.ini",
            format!(
                "[databases]\n* = host={host} port={port}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\n\
                 listen_port = {listen}\nunix_socket_dir =\nauth_type = trust\nauth_file = {}\n\
                 pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 1000\n\
                 ignore_startup_parameters = extra_float_digits,options\n",
                users.display()
            ),
        );
        let mut cmd = Command::new(BINARY);
        if std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
            cmd.args(["-u", "nobody"]);
        }
        let child = cmd
            .arg(&ini)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("PgBouncer starts");
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", listen)).await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "PgBouncer never listened on {listen}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        PgBouncer { _child: child, _dir: dir, url: format!("postgres://{user}@127.0.0.1:{listen}/{database}") }
    }
}

/// `(user, host, port, database)` of `postgres://user@host:port/database`.
fn parts(url: &str) -> (String, String, u16, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r).split('?').next().unwrap_or_default();
    let (authority, database) = rest.split_once('/').expect("a database in the URL");
    let (user, server) = authority.rsplit_once('@').unwrap_or(("postgres", authority));
    let user = user.split(':').next().unwrap_or("postgres");
    let (host, port) = server.rsplit_once(':').map_or((server, 5432), |(h, p)| (h, p.parse().unwrap_or(5432)));
    (user.to_owned(), host.to_owned(), port, database.to_owned())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("an address").port()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_parts_of_a_url() {
        assert_eq!(
            super::parts("postgres://postgres@127.0.0.1:5432/kassa_x"),
            ("postgres".into(), "127.0.0.1".into(), 5432, "kassa_x".into())
        );
        assert_eq!(super::parts("postgres://u:pw@db/k?sslmode=disable"), ("u".into(), "db".into(), 5432, "k".into()));
    }
}
