using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenCkv.Directory;
using OpenCkv.Directory.Accounts;
using OpenCkv.Directory.Authentication;
using OpenCkv.Directory.Sequencing;
using OpenCkv.Directory.Storage;
using OpenCkv.Server.Endpoints;
using OpenCkv.Server.Http;
using OpenCkv.Storage.Sqlite;

namespace OpenCkv.Server;

/// <summary>
/// `ckv server`: opens (or, on an empty folder, creates) the log and the directory, and serves the HTTP API. The
/// log's keys, configuration and database are checked to belong together before anything is served.
/// </summary>
public static class DirectoryServer
{
    /// <summary>Builds the server; run it with <c>RunAsync</c>. Kestrel settings (HTTPS certificates) come from the usual configuration sources.</summary>
    /// <exception cref="InvalidOperationException">The data folder's parts do not belong together.</exception>
    public static WebApplication Build(ServerOptions options, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        time ??= TimeProvider.System;
        // A development server's clock moves forward on request (POST /dev/clock); everything below reads it.
        DevClock? devClock = options.Dev ? new DevClock(time) : null;
        time = devClock ?? time;
        bool created = false;
        if (!File.Exists(Path.Combine(options.DataFolder, "configuration.bin")))
        {
            if (System.IO.Directory.Exists(options.DataFolder) && System.IO.Directory.EnumerateFileSystemEntries(options.DataFolder).Any())
            {
                throw new InvalidOperationException($"{options.DataFolder} is neither empty nor a log's data folder.");
            }

            LogFolder.Create(options.DataFolder, sqlite: options.Postgres is null);
            created = true;
        }

        string? postgres = options.Postgres;
        if (postgres is not null)
        {
            // The stores call Npgsql synchronously on request threads; without enough threads from the start, the
            // pool grows by a few a second while requests queue for tens of seconds (docs/benchmarks.md).
            ThreadPool.GetMinThreads(out int workers, out int io);
            ThreadPool.SetMinThreads(Math.Max(workers, 256), io);
        }

        Storage.Postgres.PostgresLogStore? sharedLog = null;
        LogFolder folder = postgres is null
            ? LogFolder.Open(options.DataFolder)
            : LogFolder.Open(options.DataFolder, hasher => sharedLog = Storage.Postgres.PostgresStores.OpenLog(postgres, hasher));
        IDirectoryStore store = postgres is null
            ? new SqliteDirectoryStore(Path.Combine(options.DataFolder, "directory.db"))
            : Storage.Postgres.PostgresStores.OpenDirectory(postgres);
        IRelayStore relayStore = postgres is null
            ? new SqliteRelayStore(Path.Combine(options.DataFolder, "relay.db"))
            : Storage.Postgres.PostgresStores.OpenRelays(postgres);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            builder.Logging.AddJsonConsole();
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddOpenApi();
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = Json.Options.PropertyNamingPolicy;
            json.SerializerOptions.DefaultIgnoreCondition = Json.Options.DefaultIgnoreCondition;
        });
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        // On a shared database every server starts as a read replica; the one that takes the lease sequences.
        Dev.LogClock? logClock = options.Dev ? new Dev.LogClock(time) : null;
        var sequencer = new Sequencer(folder.Log, options.Sequencer, (TimeProvider?)logClock ?? time, standby: sharedLog is not null);
        Storage.Postgres.PostgresSequencerLease? lease = sharedLog?.UseLease(
            $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}",
            options.Advertise ?? options.Urls.Split(';')[0],
            options.LeaseDuration);
        DevHandleCodeSender? devCodes = null;
        IHandleCodeSender sender;
        builder.Services.AddSingleton(sequencer);
        if (folder.HandoverStatement(options.DataFolder) is not null)
        {
            // Handed over: the final head stays final, so nothing sequences, not even a heartbeat.
            sequencer.Retire(LogFolder.HandedOverReason);
        }
        else if (lease is null)
        {
            builder.Services.AddHostedService<SequencerService>();
        }
        else
        {
            sequencer.WriterAddress = () => lease.Current() is { Live: true } holder && holder.Holder != lease.Holder ? holder.Address : null;
            builder.Services.AddSingleton(lease);
            builder.Services.AddSingleton<KeyTransparency.Logs.Storage.ILogStore>(sharedLog!);
            builder.Services.AddSingleton<LeaseService>();
            builder.Services.AddHostedService(services => services.GetRequiredService<LeaseService>());
        }
        if (options.Dev)
        {
            devCodes = new DevHandleCodeSender(line => Console.Out.WriteLine(line));
            sender = devCodes;
        }
        else
        {
            sender = new UnconfiguredHandleCodeSender();
        }

        var directory = new DirectoryService(store, relayStore, folder.Log, sequencer, sender, options.Directory, time);
        var authenticator = new RequestAuthenticator(directory.RequestKeyOfAsync, store, time, sharedNonces: lease is null ? null : store as INonceLedger);
        var relays = new Directory.Relays.RelayService(directory, relayStore, time);
        Dev.LiveMisbehaviour? lying = logClock is null ? null : new Dev.LiveMisbehaviour(
            directory, logClock, folder.Log.Configuration.MaxAhead, (victim, hidden, frozen) => Dev.SplitView.StartAsync(folder, sequencer, options.DataFolder, victim, hidden, frozen));
        if (lying is not null)
        {
            sequencer.HeartbeatsPaused = () => lying.IsPlaying(Dev.Misbehaviour.StaleHead);
        }

        builder.Services.AddSingleton(new ServerState(options, folder, directory, relays, sequencer, authenticator, devCodes, devClock, new Limits(options.SearchesPerMinute, options.SensitivePerMinute, options.SignedPerMinute), new Metrics())
        {
            Misbehaviour = lying,
        });
        WebApplication app = builder.Build();
        ServerState shared = app.Services.GetRequiredService<ServerState>();
        // Asked each time: a replica that finds the log handed over while following retires then.
        LeaseService? leader = app.Services.GetService<LeaseService>();
        shared.Role = () => sequencer.Retired is not null ? "handed-over" : leader is null || leader.Leading ? "sequencer" : "replica";

        app.Use(async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            string endpoint = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            shared.Metrics.Count(endpoint, context.Response.StatusCode);
        });
        app.UseMiddleware<ProblemMiddleware>();
        app.UseStatusCodePages(); // an empty error (404, 405, 415) still gets a problem body
        app.MapOpenApi();
        OperationsEndpoints.Map(app);
        if (options.Dev)
        {
            DevEndpoints.Map(app);
        }

        LogEndpoints.Map(app);
        HandoverEndpoints.Map(app);
        KtEndpoints.Map(app);
        AccountEndpoints.Map(app);
        RelayEndpoints.Map(app);

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenCkv.Server");
            ServerLog.Started(
                logger,
                created ? "created a" : "serving a",
                LogEndpoints.Mode(folder.Configuration.Mode),
                folder.Log.Size,
                shared.Fingerprint,
                options.Urls,
                options.Dev ? " (development mode: codes on the console)" : string.Empty);
        });
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            shared.Limits.Dispose();
            (store as IDisposable)?.Dispose();
            (relayStore as IDisposable)?.Dispose();
            folder.Dispose();
        });
        return app;
    }

    /// <summary>Without a configured delivery service codes cannot be sent: say so rather than pretend.</summary>
    private sealed class UnconfiguredHandleCodeSender : IHandleCodeSender
    {
        public Task SendAsync(string label, string code, CancellationToken cancellation) =>
            throw new DirectoryException(DirectoryError.Unavailable, "This server has no SMS or mail delivery configured; run it with --dev for development.");
    }
}
