using OpenCkv.Crypto.Signatures;

namespace OpenCkv.KeyTransparency.Logs;

/// <summary>
/// What signs a log's tree heads (KT §11.2). The log asks with the tree size, so a signer can refuse to sign a
/// size twice — a restored database backup must never make a log sign a second, different head at a size it
/// already signed (DESIGN §7: the high-water mark kept with the key).
/// </summary>
public interface ITreeHeadSigner
{
    /// <summary>The signing key's public key, SEC1 uncompressed: the one the configuration names.</summary>
    byte[] PublicKey { get; }

    /// <summary>Signs the to-be-signed bytes of the head of <paramref name="treeSize"/> entries.</summary>
    /// <exception cref="InvalidOperationException">The signer refuses this size.</exception>
    byte[] Sign(ulong treeSize, byte[] toBeSigned);

    /// <summary>
    /// Told once the head of <paramref name="treeSize"/> entries is stored with its entry, and so may be served.
    /// </summary>
    void Committed(ulong treeSize)
    {
    }

    /// <summary>
    /// Told when the log adopted a head another writer of a shared store signed (<see cref="TransparencyLog.Refresh"/>),
    /// with its to-be-signed bytes: a signer that keeps a high-water mark raises it, so that this server too refuses
    /// a database restored to before a head it has seen served.
    /// </summary>
    void Witnessed(ulong treeSize, byte[] toBeSigned)
    {
    }
}

/// <summary>
/// The entry at <see cref="Position"/> was committed, but the signer could not record that (for example its mark
/// file could not be written). The log's state includes the entry; the operator should stop and let the start-up
/// checks settle the signer.
/// </summary>
public sealed class CommitNoticeException(ulong position, Exception inner)
    : Exception($"Entry {position} is committed, but the signer could not record it: {inner.Message}", inner)
{
    /// <summary>The committed entry.</summary>
    public ulong Position { get; } = position;
}

/// <summary>A signer that is just the key: every size is signed. For tests, benchmarks and in-memory logs.</summary>
public sealed class KeyTreeHeadSigner(EcdsaP256PrivateKey key) : ITreeHeadSigner
{
    /// <inheritdoc />
    public byte[] PublicKey { get; } = key?.PublicKey.Encoded.ToArray() ?? throw new ArgumentNullException(nameof(key));

    /// <inheritdoc />
    public byte[] Sign(ulong treeSize, byte[] toBeSigned) => key.Sign(toBeSigned);
}
