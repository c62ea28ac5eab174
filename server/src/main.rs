//! `beian`: serve the site, seed filings, create users.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use app::domain::workflow::Role;
use app::ssr::accounts::{create_user, NewUser};
use app::ssr::{db, seed};
use axum::serve::ListenerExt;
use clap::{Parser, Subcommand, ValueEnum};
use server::{config, current_year};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc. Under load on the query page, glibc's
/// malloc and free took about 40 % of the server's CPU (docs/performance.md,
/// the lookup's profile): the in-memory index keeps hundreds of thousands of
/// small strings alive, and the short-lived allocations of every request then
/// search and consolidate that fragmented heap. SurrealDB's writes are
/// allocation-heavy too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "beian", version, about = "Beian: the ICP filing (ICP备案) system of an access provider.\n\nSettings come from ./Leptos.toml (or BEIAN_CONFIG), overridden by environment variables such as LEPTOS_SITE_ADDR and BEIAN_DB.")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default): pages, server functions and the JSON API.
    Serve {
        /// Seed demo filings and two demo staff accounts (random passwords,
        /// printed once) into an empty database. Never on a real deployment.
        #[arg(long)]
        demo: bool,
    },
    /// Add realistic approved filings (valid check digits, every province) to the database.
    Seed {
        /// How many filings (主体, each with one to three websites).
        #[arg(long, default_value_t = 1000)]
        records: u64,
        /// Seed of the generator, for repeatable data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Filings written per transaction.
        #[arg(long, default_value_t = seed::BATCH)]
        batch: u64,
        /// Transactions written at once.
        #[arg(long, default_value_t = seed::WRITERS)]
        writers: usize,
    },
    /// Write a sample 批量导入 file: new enterprise filings in the
    /// template's layout (for trying the import page, tests and the benchmark).
    ImportSample {
        #[arg(long, default_value_t = 10)]
        filings: usize,
        /// Seed of the generator: each seed gives its own domains and certificates.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Put mistakes into every N-th filing (0: none).
        #[arg(long, default_value_t = 0)]
        bad_every: usize,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Benchmark 批量导入: a sample of N filings imported by a clerk into
    /// the configured database, with where the time goes.
    BenchImport {
        #[arg(long, default_value_t = 10_000)]
        filings: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// 未备案检测: read web servers' access logs (plain or .gz, any size)
    /// and record the domains served unfiled, or filed without us.
    Detect {
        /// Access logs: nginx `combined` with "$host" (and $server_addr) after
        /// the user agent, Apache `vhost_combined`, or absolute request URIs.
        #[arg(long = "log", required = true, num_args = 1..)]
        logs: Vec<std::path::PathBuf>,
        /// Where the lines have the host: `nginx-host` (the log_format in the
        /// README: "$host" $server_addr after the user agent), `vhost` (Apache
        /// vhost_combined) or `uri` (absolute request URIs of a proxy).
        #[arg(long, default_value = "nginx-host", value_parser = ["nginx-host", "vhost", "uri"])]
        format: String,
        /// The servers' IP, for lines that do not carry $server_addr.
        #[arg(long)]
        server_ip: Option<String>,
        /// 服务器放置地 (province code) for domains whose IPs no access row of ours lists.
        #[arg(long)]
        province: Option<u8>,
        /// Read and tally only, print the figures, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Benchmark 未备案检测: match HOSTS distinct domains (half of them
    /// filed) against the configured database; with --no-match, write a
    /// sample access log of SIZE MB and read it instead (lines a second,
    /// memory), with no database.
    BenchDetect {
        #[arg(long, default_value_t = 1024)]
        size_mb: u64,
        #[arg(long, default_value_t = 100_000)]
        hosts: usize,
        /// Where to write the sample log (removed afterwards unless --keep).
        #[arg(long, default_value = "/tmp/beian-bench-access.log")]
        log: std::path::PathBuf,
        #[arg(long)]
        keep: bool,
        /// Read a sample log; no database.
        #[arg(long)]
        no_match: bool,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an active account for a console: provider staff, 管局 reviewer, administrator or registrant.
    Create {
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long)]
        username: String,
        /// At least 8 characters, not all digits, not the username (or set BEIAN_USER_PASSWORD).
        #[arg(long, env = "BEIAN_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "")]
        contact_name: String,
        #[arg(long, default_value = "")]
        email: String,
        #[arg(long, default_value = "")]
        mobile: String,
        /// For a 管局 reviewer: the province code (GB/T 2260 first two digits, e.g. 11 for 北京).
        #[arg(long)]
        province: Option<u8>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Registrant,
    Provider,
    Bureau,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Registrant => Role::Registrant,
            RoleArg::Provider => Role::Provider,
            RoleArg::Bureau => Role::Bureau,
            RoleArg::Admin => Role::Admin,
        }
    }
}

fn main() {
    let filter = EnvFilter::try_from_env("BEIAN_LOG").unwrap_or_else(|_| EnvFilter::new("info,surrealdb=warn,surrealkv=warn"));
    // BEIAN_LOG_FORMAT=json: one JSON object a line, for a log collector.
    if std::env::var("BEIAN_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        tracing_subscriber::fmt().json().with_current_span(false).with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    // SurrealDB's executor recurses deeply on long transactions (an
    // approval writes every record in one); 2 MiB stacks are not enough in
    // debug builds.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(16 * 1024 * 1024).build().expect("tokio runtime");
    if let Err(e) = runtime.block_on(run(Cli::parse())) {
        eprintln!("beian: {e}");
        std::process::exit(1);
    }
}

/// With the demo data, staff accounts to try the consoles with: the
/// provider's clerk `jieru` and the 北京 管局 reviewer `guanju`. Each gets a
/// random password, printed once to the console (never written anywhere).
async fn demo_staff(database: &db::Db) {
    for (username, role, name, province) in [("jieru", Role::Provider, "接入商核实员", None), ("guanju", Role::Bureau, "北京管局审核员", Some(11)), ("guanli", Role::Admin, "系统管理员", None)] {
        let password = format!("demo-{}", &app::ssr::auth::random_token()[..12]);
        let user = NewUser {
            username: username.into(),
            password: password.clone(),
            role,
            contact_name: name.into(),
            email: format!("{username}@example.com"),
            mobile: String::new(),
            province,
        };
        match create_user(database, user).await {
            Ok(_) => {
                println!("demo staff account {username} ({}): password {password}", role.label().zh);
                tracing::warn!(username, "demo staff account created: never run a real deployment with demo data");
            }
            Err(app::ssr::accounts::CreateUserError::Taken(_)) => {
                println!("demo staff account {username} exists already (its password was printed when it was made)");
            }
            Err(e) => tracing::warn!(username, error = %e, "could not create the demo staff account"),
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let (leptos_options, mut settings) = config::load()?;
    if let Some(Command::ImportSample { filings, seed, bad_every, out }) = &cli.command {
        let bytes = app::ssr::import::sample(*filings, *seed, &settings.provider_name, *bad_every).map_err(|e| format!("{e:?}"))?;
        std::fs::write(out, &bytes)?;
        println!("wrote {} ({} KB, {filings} filings)", out.display(), bytes.len() / 1024);
        return Ok(());
    }
    if let Some(Command::Detect { logs, server_ip, format, dry_run: true, .. }) = &cli.command {
        let (_, report, secs) = read_logs(logs, server_ip.as_deref(), format)?;
        print_report(&report, secs);
        return Ok(());
    }
    if let Some(Command::BenchDetect { size_mb, log, keep, no_match: true, hosts }) = &cli.command {
        bench_read(*size_mb, *hosts, log, *keep)?;
        return Ok(());
    }
    if let Some(Command::Serve { demo: true }) = &cli.command {
        settings.demo_data = true;
    }
    config::check_safe(&settings)?;
    let database = db::open(&settings.db, settings.db_user.as_deref(), settings.db_pass.as_deref())
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", settings.db))?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { .. } => {
            if settings.demo_data {
                if let Some(n) = seed::seed_demo_if_empty(&database, settings.demo_records, &settings.provider_name, current_year()).await? {
                    tracing::info!(websites = n, "seeded demo filings into the empty database");
                    match app::ssr::detect::seed_demo(&database, &settings.provider_name).await {
                        Ok(r) => tracing::info!(unfiled = r.unfiled, not_ours = r.not_ours, "seeded a demo detection run"),
                        Err(e) => tracing::warn!(error = ?e, "could not seed the demo detection run"),
                    }
                }
                demo_staff(&database).await;
            }
            if !settings.transport.delivers() {
                tracing::warn!("no SMTP relay (BEIAN_SMTP_URL) or mail folder (BEIAN_MAIL_DIR): messages are recorded, not sent");
            }
            // Messages committed before a restart are sent now; expired rows go on a schedule.
            app::ssr::outbox::spawn_worker(database.clone(), settings.transport.clone());
            app::ssr::purge::spawn(database.clone(), settings.limits.clone());
            let addr: SocketAddr = leptos_options.site_addr;
            let (app, state) = server::site(leptos_options, database, Arc::new(settings));
            if let Some(metrics_addr) = metrics_addr()? {
                let listener = tokio::net::TcpListener::bind(metrics_addr).await.map_err(|e| format!("cannot listen on {metrics_addr} (BEIAN_METRICS_ADDR): {e}"))?;
                tracing::info!("metrics on http://{metrics_addr}/metrics");
                let metrics = server::ops::metrics_router(state);
                tokio::spawn(async move {
                    if let Err(e) = axum::serve(listener, metrics).await {
                        tracing::error!(error = %e, "the metrics listener stopped");
                    }
                });
            }
            let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            // Without TCP_NODELAY a response written in parts (files, streamed
            // pages) waits ~40 ms for the client's delayed ACK.
            let listener = listener.tap_io(|tcp| {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::warn!(error = %e, "could not set TCP_NODELAY");
                }
            });
            tracing::info!("listening on http://{addr}");
            // On SIGTERM: /readyz says 503 for a few seconds (the load
            // balancer stops sending) while requests are still served, then
            // no new connections, in-flight requests finish, and after a
            // grace period the process ends anyway.
            let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
            let serve = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(async move {
                shutdown_signal().await;
                server::ops::start_draining();
                tracing::info!(drain_s = server::ops::DRAIN.as_secs(), "shutting down: draining");
                tokio::time::sleep(server::ops::DRAIN).await;
                let _ = stopping_tx.send(());
                tracing::info!("shutting down: finishing the requests in flight");
            });
            let grace = async move {
                let _ = stopping_rx.await;
                tokio::time::sleep(server::ops::SHUTDOWN_GRACE).await;
            };
            tokio::select! {
                served = serve.into_future() => served?,
                _ = grace => tracing::warn!(grace_s = server::ops::SHUTDOWN_GRACE.as_secs(), "requests still in flight after the grace period: stopping anyway"),
            }
            tracing::info!("stopped");
        }
        Command::Seed { records, seed: s, batch, writers } => {
            let started = Instant::now();
            let step = (records / 20).max(1000);
            let websites = seed::seed_in_batches(&database, records, s, &settings.provider_name, current_year(), batch, writers, |done| {
                if done % step == 0 || done == records {
                    eprintln!("  {done}/{records} filings ({:.0}/s)", done as f64 / started.elapsed().as_secs_f64());
                }
            })
            .await?;
            let secs = started.elapsed().as_secs_f64();
            // Peak memory of this process (Linux), for the benchmark's record.
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
                .map(|kb| format!(", peak memory {} MB", kb / 1024))
                .unwrap_or_default();
            println!("seeded {records} filings ({websites} websites) in {secs:.1} s ({:.0} filings/s, {batch} a transaction, {writers} at once{peak})", records as f64 / secs);
        }
        Command::ImportSample { .. } => {}
        Command::BenchImport { filings, seed } => bench_import(&database, Arc::new(settings), filings, seed).await?,
        Command::Detect { logs, server_ip, province, format, .. } => {
            let (tally, _, read_secs) = read_logs(&logs, server_ip.as_deref(), &format)?;
            let started = Instant::now();
            let report = app::ssr::detect::record(&database, &settings.provider_name, app::ssr::detect::Source::Log(logs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")), tally, province)
                .await
                .map_err(|e| format!("recording the detections failed: {e:?}"))?;
            print_report(&report, read_secs);
            println!("matched and recorded in {:.2} s", started.elapsed().as_secs_f64());
        }
        Command::BenchDetect { hosts, .. } => bench_match(&database, &settings.provider_name, hosts).await?,
        Command::User { command: UserCommand::Create { role, username, password, contact_name, email, mobile, province } } => {
            let name = create_user(&database, NewUser { username, password, role: role.into(), contact_name, email, mobile, province }).await?;
            println!("created {} account {name}", Role::from(role).code());
        }
    }
    Ok(())
}

/// `beian bench-import`: make a sample, import it as a new clerk, print
/// the figures (docs/performance.md records them).
async fn bench_import(database: &db::Db, settings: Arc<app::ssr::Settings>, filings: usize, seed: u64) -> Result<(), Box<dyn std::error::Error>> {
    use app::ssr::auth;
    let started = Instant::now();
    let bytes = app::ssr::import::sample(filings, seed, &settings.provider_name, 0).map_err(|e| format!("{e:?}"))?;
    let made = started.elapsed();
    let username = format!("bench{}", &auth::random_token()[..8].to_lowercase());
    let password = format!("Bench-{}", auth::random_token());
    create_user(database, NewUser { username: username.clone(), password: password.clone(), role: Role::Provider, contact_name: "导入测试".into(), email: String::new(), mobile: String::new(), province: None }).await?;
    let auth::LoginOutcome::Ok(id) = auth::login(database, &username, &password).await.map_err(|e| format!("{e:?}"))? else { return Err("sign-in failed".into()) };
    let token = auth::create_session(database, &id, 1).await.map_err(|e| format!("{e:?}"))?;
    let user = auth::session_user(database, &token).await.map_err(|e| format!("{e:?}"))?;
    let cx = app::ssr::guard::authorize(database, &settings, user, app::ssr::guard::Need::Role(&[Role::Provider])).await.map_err(|e| format!("{e:?}"))?;
    let clock = Instant::now();
    let (o, t) = app::ssr::import::run_timed(&cx, "bench.xlsx", bytes.clone()).await.map_err(|e| format!("{e:?}"))?;
    let secs = clock.elapsed().as_secs_f64();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "bench-import: {filings} filings ({} rows in three sheets), file {} KB (made in {:.0} ms)",
        filings * 3,
        bytes.len() / 1024,
        ms(made)
    );
    println!("  imported {} refused {} in {secs:.2} s ({:.0} filings/s) on {}", o.imported, o.refused, o.imported as f64 / secs, settings.db);
    println!(
        "  read+check {:.0} ms, lookups {:.0} ms, hashing {:.0} ms, writing {:.0} ms, result files {:.0} ms; accounts file {} KB",
        ms(t.read_and_check),
        ms(t.lookups),
        ms(t.hashing),
        ms(t.writing),
        ms(t.result_files),
        o.accounts_xlsx.as_ref().map(|b| b.len() * 3 / 4 / 1024).unwrap_or(0)
    );
    Ok(())
}

/// `BEIAN_METRICS_ADDR` (e.g. 127.0.0.1:9100): where `/metrics` is served;
/// unset, nowhere.
fn metrics_addr() -> Result<Option<SocketAddr>, String> {
    match std::env::var("BEIAN_METRICS_ADDR") {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map(Some).map_err(|e| format!("BEIAN_METRICS_ADDR {v:?}: {e}")),
        _ => Ok(None),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Tally access logs, timed.
fn read_logs(logs: &[std::path::PathBuf], server_ip: Option<&str>, format: &str) -> Result<(app::ssr::detect::Tally, app::models::RunReport, f64), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let format = app::domain::detect::LogFormat::parse(format).ok_or("--format is nginx-host, vhost or uri")?;
    if let Some(ip) = server_ip {
        ip.parse::<std::net::IpAddr>().map_err(|_| format!("--server-ip {ip} is not an IP address"))?;
    }
    let mut tally = app::ssr::detect::Tally::new(server_ip, format);
    for path in logs {
        server::detect::tally_file(path, &mut tally).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    }
    let secs = started.elapsed().as_secs_f64();
    // The figures without consuming the tally: a second, cheap summary.
    let report = app::models::RunReport { lines: tally.lines, bad_lines: tally.bad, ..Default::default() };
    Ok((tally, report, secs))
}

fn peak_memory_mb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status").ok()?.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb / 1024)
}

fn print_report(r: &app::models::RunReport, read_secs: f64) {
    println!(
        "read {} lines in {read_secs:.2} s ({:.0} lines/s), {} bad{}",
        r.lines,
        r.lines as f64 / read_secs.max(1e-9),
        r.bad_lines,
        peak_memory_mb().map(|m| format!(", peak memory {m} MB")).unwrap_or_default()
    );
    for (why, n) in &r.bad_by_reason {
        println!("  bad: {why}: {n}");
    }
    for s in &r.bad_samples {
        println!("  e.g. line {s}");
    }
    if r.hosts > 0 || r.domains > 0 {
        println!(
            "{} host names, {} not public domains, {} domains: {} filed with us, {} 未备案, {} 非本接入; {} new detections, {} reopened (run {})",
            r.hosts, r.not_domains, r.domains, r.filed_with_us, r.unfiled, r.not_ours, r.new_detections, r.reopened, r.run
        );
    }
}

/// `beian bench-detect`, first half: write the sample log, read it.
fn bench_read(size_mb: u64, hosts: usize, log: &std::path::Path, keep: bool) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let lines = server::detect::write_sample_log(log, size_mb * 1024 * 1024, hosts, 42)?;
    println!("wrote {} ({size_mb} MB, {lines} lines) in {:.1} s", log.display(), started.elapsed().as_secs_f64());
    let started = Instant::now();
    let mut tally = app::ssr::detect::Tally::new(None, app::domain::detect::LogFormat::NginxHost);
    server::detect::tally_file(log, &mut tally)?;
    let (seen, mut report) = tally.finish();
    let secs = started.elapsed().as_secs_f64();
    report.domains = seen.len() as u64;
    println!(
        "read {} lines ({size_mb} MB) in {secs:.2} s: {:.0} lines/s, {:.0} MB/s; {} bad; {} host names, {} domains; peak memory {} MB",
        report.lines,
        report.lines as f64 / secs,
        size_mb as f64 / secs,
        report.bad_lines,
        report.hosts,
        report.domains,
        peak_memory_mb().unwrap_or(0)
    );
    if !keep {
        std::fs::remove_file(log).ok();
    }
    Ok(())
}

/// `beian bench-detect`, second half: classify HOSTS distinct domains,
/// half of them filed (taken from the database), against the filings.
async fn bench_match(database: &db::Db, provider: &str, hosts: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut res = database.query("SELECT VALUE domain FROM domain_claim LIMIT $n").bind(("n", (hosts / 2) as i64)).await?.check()?;
    let mut domains: Vec<String> = res.take(0)?;
    let filed = domains.len();
    let mut i = 0;
    while domains.len() < hosts {
        domains.push(format!("unfiled-bench-{i}.example.cn"));
        i += 1;
    }
    let mut res = database.query("RETURN (SELECT count() AS n FROM website GROUP ALL)[0].n ?? 0").await?.check()?;
    let websites: Option<i64> = res.take(0)?;
    let started = Instant::now();
    let verdicts = app::ssr::detect::classify(database, provider, &domains).await.map_err(|e| format!("{e:?}"))?;
    let secs = started.elapsed().as_secs_f64();
    let ours = verdicts.values().filter(|v| matches!(v, app::ssr::detect::Verdict::Ours)).count();
    println!(
        "matched {} distinct domains ({filed} of them filed) against {} websites in {secs:.2} s ({:.0} domains/s): {ours} filed with us, {} not",
        domains.len(),
        websites.unwrap_or(0),
        domains.len() as f64 / secs,
        verdicts.len() - ours
    );
    Ok(())
}
