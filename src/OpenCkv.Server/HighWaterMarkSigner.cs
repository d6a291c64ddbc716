using System.Buffers.Binary;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Logs;

namespace OpenCkv.Server;

/// <summary>
/// Signs tree heads only at sizes above the largest it ever signed (DESIGN §7). The mark lives in a file beside the
/// signing key, outside the database: the size, the SHA-256 of the head signed at it, and whether that head was
/// stored (41 bytes, overwritten in place — one write within a sector, so no rename whose directory entry might not
/// survive a crash). It is advanced and flushed to the device before each signature, and raised and flushed to every
/// head this server adopts from other writers of a shared database. The stored flag is set once the head is stored
/// without waiting for the device: it decides nothing (a mark whose flag a crash lost is set again at the next
/// start, when the database holds the head), so it costs no second flush per entry.
/// Heads are signed only after their entry committed, so the bytes signed at a size are fixed by the database: the
/// same head may be signed again (a crash between signing and storing it), a different one never. A database
/// restored from an older backup therefore cannot make the log sign a second, different head at a size it already
/// signed or saw: the log must move to a new one instead.
/// </summary>
public sealed class HighWaterMarkSigner : ITreeHeadSigner
{
    private const int MarkSize = 41;
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

        (Mark, _markedHash, MarkCommitted) = Read(markPath);
    }

    /// <summary>Writes the mark of a new key: nothing signed yet.</summary>
    public static void Initialize(string markPath) => Write(markPath, 0, new byte[32], committed: true);

    /// <inheritdoc />
    public byte[] PublicKey { get; }

    /// <summary>The largest tree size ever signed with this key.</summary>
    public ulong Mark { get; private set; }

    /// <summary>Whether the head at <see cref="Mark"/> was stored (and so may have been served).</summary>
    public bool MarkCommitted { get; private set; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The size is below the mark, or is the mark with other bytes: signing it could fork the log.</exception>
    public byte[] Sign(ulong treeSize, byte[] toBeSigned)
    {
        lock (_gate)
        {
            byte[] hash = System.Security.Cryptography.SHA256.HashData(toBeSigned);
            bool same = treeSize == Mark && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, _markedHash);
            if (treeSize <= Mark && !same)
            {
                throw new InvalidOperationException(
                    $"This key already signed a head of size {Mark}; signing another head of size {treeSize} could fork the log. A database restored from a backup needs a new log.");
            }

            if (!same)
            {
                Write(_markPath, treeSize, hash, committed: false);
                Mark = treeSize;
                _markedHash = hash;
                MarkCommitted = false;
            }

            return _key.Sign(toBeSigned);
        }
    }

    /// <inheritdoc />
    public void Committed(ulong treeSize)
    {
        lock (_gate)
        {
            if (treeSize == Mark && !MarkCommitted)
            {
                Write(_markPath, Mark, _markedHash, committed: true, flush: false);
                MarkCommitted = true;
            }
        }
    }

    /// <inheritdoc />
    public void Witnessed(ulong treeSize, byte[] toBeSigned)
    {
        ArgumentNullException.ThrowIfNull(toBeSigned);
        lock (_gate)
        {
            if (treeSize > Mark)
            {
                byte[] hash = System.Security.Cryptography.SHA256.HashData(toBeSigned);
                Write(_markPath, treeSize, hash, committed: true);
                Mark = treeSize;
                _markedHash = hash;
                MarkCommitted = true;
            }
        }
    }

    private static (ulong Mark, byte[] Hash, bool Committed) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return bytes.Length == MarkSize && bytes[40] <= 1
            ? (BinaryPrimitives.ReadUInt64BigEndian(bytes), bytes[8..40], bytes[40] == 1)
            : throw new InvalidDataException($"{path} is not a signing high-water mark ({MarkSize} bytes).");
    }

    /// <summary>The mark file: the size (8 bytes, big-endian), SHA-256 of the head signed at it, and 1 once committed.</summary>
    private static void Write(string path, ulong mark, byte[] hash, bool committed, bool flush = true)
    {
        var bytes = new byte[MarkSize];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, mark);
        hash.CopyTo(bytes, 8);
        bytes[40] = committed ? (byte)1 : (byte)0;
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.None, Options = flush ? FileOptions.WriteThrough : FileOptions.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(bytes);
        stream.Flush(flushToDisk: flush);
    }
}
