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
    /// Told once the head of <paramref name="treeSize"/> entries is committed with its entry, and so may be served.
    /// A head signed but never committed was never seen by anyone, which lets a signer allow that one size to be
    /// signed again after a crash.
    /// </summary>
    void Committed(ulong treeSize)
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
