using System.Buffers.Binary;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Logs;

namespace OpenCkv.Server;

/// <summary>
/// Signs tree heads only at sizes above the largest it ever signed (DESIGN §7). The mark lives in a file beside the
/// signing key, outside the database, and is advanced before each signature: its 8 bytes are overwritten in place
/// and flushed to the device (one write within a sector, so no rename whose directory entry might not survive a
/// crash). A database restored from an older backup therefore cannot make the log
/// sign a second, different head at a size it already signed: the log must move to a new one instead.
/// </summary>
public sealed class HighWaterMarkSigner : ITreeHeadSigner
{
    private readonly EcdsaP256PrivateKey _key;
    private readonly string _markPath;
    private readonly Lock _gate = new();

    /// <summary>A signer over <paramref name="key"/> whose mark is kept at <paramref name="markPath"/> (0 if absent).</summary>
    public HighWaterMarkSigner(EcdsaP256PrivateKey key, string markPath)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(markPath);
        _key = key;
        _markPath = markPath;
        PublicKey = key.PublicKey.Encoded.ToArray();
        Mark = File.Exists(markPath) ? Read(markPath) : 0;
    }

    /// <inheritdoc />
    public byte[] PublicKey { get; }

    /// <summary>The largest tree size ever signed with this key.</summary>
    public ulong Mark { get; private set; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The size is not above the mark: signing it could fork the log.</exception>
    public byte[] Sign(ulong treeSize, byte[] toBeSigned)
    {
        lock (_gate)
        {
            if (treeSize <= Mark)
            {
                throw new InvalidOperationException(
                    $"This key already signed a head of size {Mark}; signing size {treeSize} could fork the log. A database restored from a backup needs a new log.");
            }

            Write(_markPath, treeSize);
            Mark = treeSize;
            return _key.Sign(toBeSigned);
        }
    }

    private static ulong Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return bytes.Length == 8
            ? BinaryPrimitives.ReadUInt64BigEndian(bytes)
            : throw new InvalidDataException($"{path} is not a signing high-water mark (8 bytes).");
    }

    private static void Write(string path, ulong mark)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, mark);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
