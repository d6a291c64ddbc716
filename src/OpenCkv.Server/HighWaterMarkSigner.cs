using System.Buffers.Binary;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Logs;

namespace OpenCkv.Server;

/// <summary>
/// Signs tree heads only at sizes above the largest it ever signed (DESIGN §7). The mark lives in a file beside the
/// signing key, outside the database, and is advanced before each signature: the size and the SHA-256 of the head
/// signed at it (40 bytes) are overwritten in place and flushed to the device (one write within a sector, so no
/// rename whose directory entry might not survive a crash). Signing the very same head again is allowed, so a step
/// whose commit failed after its signature can be retried; any other head at or below the mark is refused. A database restored from an older backup therefore cannot make the log
/// sign a second, different head at a size it already signed: the log must move to a new one instead.
/// </summary>
public sealed class HighWaterMarkSigner : ITreeHeadSigner
{
    private readonly EcdsaP256PrivateKey _key;
    private readonly string _markPath;
    private readonly Lock _gate = new();

    private byte[] _markedHash;

    /// <summary>A signer over <paramref name="key"/> whose mark is kept at <paramref name="markPath"/>, which must exist.</summary>
    /// <exception cref="InvalidDataException">The mark file is missing or not a mark: signing without it could fork the log.</exception>
    public HighWaterMarkSigner(EcdsaP256PrivateKey key, string markPath)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(markPath);
        _key = key;
        _markPath = markPath;
        PublicKey = key.PublicKey.Encoded.ToArray();
        if (!File.Exists(markPath))
        {
            throw new InvalidDataException($"{markPath} is missing: without the high-water mark the key could sign a size twice.");
        }

        (Mark, _markedHash) = Read(markPath);
    }

    /// <summary>Writes the mark of a new key: nothing signed yet.</summary>
    public static void Initialize(string markPath) => Write(markPath, 0, new byte[32]);

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
            byte[] hash = System.Security.Cryptography.SHA256.HashData(toBeSigned);

            // The same head again (a step whose commit failed after signing, retried) is not a second head.
            bool retry = treeSize == Mark && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, _markedHash);
            if (treeSize <= Mark && !retry)
            {
                throw new InvalidOperationException(
                    $"This key already signed a head of size {Mark}; signing another head of size {treeSize} could fork the log. A database restored from a backup needs a new log.");
            }

            if (!retry)
            {
                Write(_markPath, treeSize, hash);
                Mark = treeSize;
                _markedHash = hash;
            }

            return _key.Sign(toBeSigned);
        }
    }

    private static (ulong Mark, byte[] Hash) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return bytes.Length == 40
            ? (BinaryPrimitives.ReadUInt64BigEndian(bytes), bytes[8..])
            : throw new InvalidDataException($"{path} is not a signing high-water mark (40 bytes).");
    }

    /// <summary>The mark file: the size (8 bytes, big-endian) and SHA-256 of the head signed at it.</summary>
    private static void Write(string path, ulong mark, byte[] hash)
    {
        var bytes = new byte[40];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, mark);
        hash.CopyTo(bytes, 8);
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
