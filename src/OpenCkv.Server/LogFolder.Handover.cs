using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Shared;
using OpenCkv.Storage.Postgres;

namespace OpenCkv.Server;

public sealed partial class LogFolder
{
    /// <summary>The file holding the folder's handover statement, once the log was handed over.</summary>
    public static string HandoverPath(string folder) => Path.Combine(folder, "handover.bin");

    /// <summary>
    /// Hands this log over to the log whose configuration is <paramref name="next"/> (docs/ckv-protocol.md §9): signs
    /// the statement over the log's final size and root with this log's key. A log in the folder's own database gets
    /// it in <c>handover.bin</c> (written whole and flushed under another name, renamed, and the folder flushed); the
    /// folder is this process's while it is open, so no server runs on it meanwhile. A log in a shared database gets
    /// it in the database, where every server finds it: the sequencer lease is taken first, which only succeeds
    /// while no server holds it and fences out any later commit of a former holder, and the statement is stored in
    /// the same transaction that gives the lease to no server for good. From then on the log takes no more changes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The log has no entries, its newest entry is not fresh at
    /// <paramref name="timestampMs"/>, it was handed over already, <paramref name="next"/> is this log, or a server
    /// of a shared log holds its lease.</exception>
    public LogHandover HandOver(string folder, Configuration next, ulong timestampMs)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (HandoverStatement(folder) is not null)
        {
            throw new InvalidOperationException($"The log of {folder} was handed over already.");
        }

        if (_database is not PostgresLogStore shared)
        {
            LogHandover statement = SignHandover(next, timestampMs);
            string path = HandoverPath(folder);
            string temporary = path + ".tmp";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(statement.Encode());
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path);
            DirectorySync.Flush(folder); // the new name, not only the bytes, survives a crash
            return statement;
        }

        PostgresSequencerLease lease = shared.UseLease($"handover/{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}", string.Empty, TimeSpan.FromMinutes(1));
        if (!lease.TryAcquire())
        {
            throw new InvalidOperationException(
                "A server holds the sequencer lease of this log: stop every server sharing the database, and hand over once its lease has lapsed.");
        }

        try
        {
            // What the last writer committed, with the head it may have left unsigned; then the same check a new
            // writer makes, so a restored database behind the key's mark is not declared final.
            Log.Refresh(completeHead: true);
            RequireMarkCovered(Signer, shared.Size);

            LogHandover statement = SignHandover(next, timestampMs);
            lease.HandOver(statement.Encode());
            return statement;
        }
        finally
        {
            lease.Release(); // only while the handover did not happen: a stored handover holds no epoch to release
        }
    }

    /// <summary>
    /// The log's handover statement, or null while the log is live: from the shared database when the log is in one,
    /// else from the folder's <c>handover.bin</c>.
    /// </summary>
    public byte[]? HandoverStatement(string folder) => _database is PostgresLogStore shared ? shared.Handover() : ReadHandover(folder);

    private LogHandover SignHandover(Configuration next, ulong timestampMs)
    {
        ulong size = Log.Size;
        if (size == 0)
        {
            throw new InvalidOperationException("A log without entries has nothing to hand over.");
        }

        RequireFreshAt(timestampMs);
        try
        {
            return LogHandover.Create(Configuration, _signing, size, Log.RootAt(size), next, timestampMs);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    /// <summary>
    /// Refuses a final head that would be stale at the statement's time. KT "Full Tree Head Verification" holds every
    /// head, even one the client already has ("same"), within max_behind of the client's clock, so a client finishing
    /// its monitoring days after the log stopped would refuse the final head; docs/ckv-protocol.md §9 therefore has
    /// clients judge the old log's final head against the statement's <c>timestamp_ms</c>, which only works if the
    /// newest entry was fresh then. A log that sat stopped longer than max_behind needs one heartbeat first.
    /// </summary>
    private void RequireFreshAt(ulong timestampMs)
    {
        ulong newest = Log.LastTimestamp;
        bool stale = timestampMs > newest && timestampMs - newest > Configuration.MaxBehind;
        bool ahead = newest > timestampMs && newest - timestampMs > Configuration.MaxAhead;
        if (stale || ahead)
        {
            throw new InvalidOperationException(
                $"The log's newest entry ({newest} ms) is outside max_behind {Configuration.MaxBehind} ms / max_ahead {Configuration.MaxAhead} ms of the statement's time {timestampMs} ms, so clients would refuse the final head: start the server until it appends a heartbeat entry, stop it, then hand over.");
        }
    }

    /// <summary>The folder's handover statement, or null while the log is live.</summary>
    public static byte[]? ReadHandover(string folder) =>
        File.Exists(HandoverPath(folder)) ? File.ReadAllBytes(HandoverPath(folder)) : null;

    /// <summary>A folder's configuration, read without opening its keys or database (the log to hand over to).</summary>
    public static Configuration ReadConfiguration(string folder) =>
        TlsCodec.Decode<Configuration>(File.ReadAllBytes(Path.Combine(folder, "configuration.bin"))).Validated();
}
