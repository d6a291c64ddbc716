using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenCkv.Directory;
using OpenCkv.Directory.Sequencing;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.Storage.Postgres;

namespace OpenCkv.Server;

/// <summary>
/// A server on a shared PostgreSQL database (DESIGN §7): a read replica that follows the log until it can take the
/// sequencer lease, then the log's only writer. Taking over, it first brings its log up to the database, signs the
/// head an earlier writer may have left unsigned, and checks that the database is not behind what its key's
/// high-water mark has seen. A writer that cannot renew its lease (or whose commit found its epoch gone) stops
/// writing at once and exits with code 75, for its supervisor to restart it as a replica: in-memory state staged
/// for a refused commit is never reused.
/// </summary>
internal sealed class LeaseService(
    ServerState state,
    PostgresSequencerLease lease,
    ILogStore store,
    IHostApplicationLifetime lifetime,
    ILogger<LeaseService> logger) : BackgroundService
{
    /// <summary>The exit code of a server that lost its lease (EX_TEMPFAIL: restart it).</summary>
    public const int LostLeaseExitCode = 75;

    /// <summary>Whether this server holds the lease and sequences.</summary>
    public bool Leading { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (lease.TryAcquire())
                {
                    await LeadAsync(stoppingToken).ConfigureAwait(false);
                    return;
                }

                Follow();
                if (state.Folder.HandoverStatement(state.Options.DataFolder) is not null)
                {
                    // Handed over while this server followed: nobody holds the lease any more, and nobody will.
                    state.Sequencer.Retire(LogFolder.HandedOverReason);
                    return;
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or ArgumentException or InvalidOperationException)
            {
                ServerLog.FollowFailed(logger, e);
            }

            try
            {
                await Task.Delay(state.Options.ReplicaPoll, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Adopts what the writer committed since the last look; account views built before are dropped.</summary>
    private void Follow()
    {
        ulong before = state.Log.Size;
        if (state.Log.Refresh(completeHead: false) != before)
        {
            state.Directory.ForgetViews();
        }
    }

    private async Task LeadAsync(CancellationToken stopping)
    {
        long epoch = lease.Epoch!.Value;
        try
        {
            state.Log.Refresh(completeHead: true);
            LogFolder.RequireMarkCovered(state.Folder.Signer, store.Size);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FencedOutException or Npgsql.NpgsqlException)
        {
            ServerLog.RefusedToLead(logger, e.Message);
            lease.Release();
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        state.Directory.ForgetViews();
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Task renewing = RenewAsync(lost);
        Task sequencing = state.Sequencer.RunAsync(lost.Token); // takes values from its first synchronous step
        Leading = true;
        ServerLog.TookLease(logger, epoch, state.Log.Size);
        await sequencing.ConfigureAwait(false);
        bool lostLease = !stopping.IsCancellationRequested || state.Sequencer.Fault is not null;
        await lost.CancelAsync().ConfigureAwait(false);
        await renewing.ConfigureAwait(false);
        Leading = false;
        if (!lostLease)
        {
            lease.Release(); // a graceful stop: the next writer need not wait for the lease to expire
            ServerLog.SequencerStopped(logger, state.Sequencer.EntriesAppended);
            return;
        }

        if (state.Sequencer.Fault is { } fault and not FencedOutException)
        {
            ServerLog.SequencerFailed(logger, fault);
        }

        ServerLog.LostLease(logger, epoch);
        Environment.ExitCode = LostLeaseExitCode;
        lifetime.StopApplication();
    }

    /// <summary>
    /// Renews every third of the lease; when renewal is refused, or has failed for most of a lease, writing stops.
    /// The commits' own fence check is what makes this safe; stopping early only spares refused commits.
    /// </summary>
    private async Task RenewAsync(CancellationTokenSource lost)
    {
        TimeSpan duration = state.Options.LeaseDuration;
        var sinceRenewed = Stopwatch.StartNew();
        while (!lost.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(duration / 3, lost.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            bool renewed;
            try
            {
                renewed = lease.Renew();
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                ServerLog.FollowFailed(logger, e);
                renewed = sinceRenewed.Elapsed < duration * 0.6; // keep trying while the lease may still be ours
                if (renewed)
                {
                    continue;
                }
            }

            if (!renewed)
            {
                await lost.CancelAsync().ConfigureAwait(false);
                return;
            }

            sinceRenewed.Restart();
        }
    }
}
