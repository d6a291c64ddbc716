using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Server;

public sealed partial class LogFolder
{
    /// <summary>The file holding the folder's handover statement, once the log was handed over.</summary>
    public static string HandoverPath(string folder) => Path.Combine(folder, "handover.bin");

    /// <summary>
    /// Hands this log over to the log whose configuration is <paramref name="next"/> (docs/ckv-protocol.md §9): signs
    /// the statement over the log's final size and root with this log's key and writes it to <c>handover.bin</c>
    /// (written whole and flushed under another name, then renamed). From then on the folder's server takes no more
    /// changes. The folder is this process's while it is open, so no server runs on it meanwhile.
    /// </summary>
    /// <exception cref="InvalidOperationException">The log has no entries, its newest entry is not fresh at
    /// <paramref name="timestampMs"/>, it was handed over already, or <paramref name="next"/> is this log.</exception>
    public LogHandover HandOver(string folder, Configuration next, ulong timestampMs)
    {
        ArgumentNullException.ThrowIfNull(next);
        string path = HandoverPath(folder);
        if (File.Exists(path))
        {
            throw new InvalidOperationException($"{folder} was handed over already.");
        }

        ulong size = Log.Size;
        if (size == 0)
        {
            throw new InvalidOperationException("A log without entries has nothing to hand over.");
        }

        RequireFreshAt(timestampMs);
        LogHandover statement;
        try
        {
            statement = LogHandover.Create(Configuration, _signing, size, Log.RootAt(size), next, timestampMs);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }

        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(statement.Encode());
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path);
        return statement;
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
