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
    /// changes. The server must not be running on the folder meanwhile.
    /// </summary>
    /// <exception cref="InvalidOperationException">The log has no entries, was handed over already, or <paramref name="next"/> is this log.</exception>
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

    /// <summary>The folder's handover statement, or null while the log is live.</summary>
    public static byte[]? ReadHandover(string folder) =>
        File.Exists(HandoverPath(folder)) ? File.ReadAllBytes(HandoverPath(folder)) : null;

    /// <summary>A folder's configuration, read without opening its keys or database (the log to hand over to).</summary>
    public static Configuration ReadConfiguration(string folder) =>
        TlsCodec.Decode<Configuration>(File.ReadAllBytes(Path.Combine(folder, "configuration.bin"))).Validated();
}
