using OpenCkv.Crypto;
using OpenCkv.Crypto.Hashing;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency;

/// <summary>
/// The stable facade that independent conformance suites call: byte arrays in, byte arrays out, always on the
/// fastest crypto path of the machine. Signatures are fixed by the project's design document.
/// Malformed arguments (wrong lengths, duplicate keys, a zero size) throw <see cref="ArgumentException"/>.
/// </summary>
public static class Conformance
{
    private static CryptoSuite Suite => CryptoSuite.Fastest;

    /// <summary>The 33-byte compressed ECVRF public key of a 32-byte secret key.</summary>
    public static byte[] VrfPublicKey(byte[] secretKey)
    {
        using VrfKeyPair key = Suite.Vrf.ImportSecretKey(secretKey);
        return key.PublicKey.ToArray();
    }

    /// <summary>The 81-byte ECVRF-P256-SHA256-TAI proof of <paramref name="alpha"/>.</summary>
    public static byte[] VrfProve(byte[] secretKey, byte[] alpha)
    {
        using VrfKeyPair key = Suite.Vrf.ImportSecretKey(secretKey);
        return Suite.Vrf.Prove(key, alpha);
    }

    /// <summary>The 32-byte VRF output when the proof is valid, else null.</summary>
    public static byte[]? VrfVerify(byte[] publicKey, byte[] alpha, byte[] proof)
    {
        var output = new byte[EcVrfP256.OutputSize];
        return Suite.Vrf.TryVerify(publicKey, alpha, proof, output) ? output : null;
    }

    /// <summary>The TLS encoding of <c>VrfInput</c> (KT §11.7).</summary>
    public static byte[] VrfInput(byte[] label, uint version) => TlsCodec.Encode(new VrfInput(label, version));

    /// <summary>The KT §11.6 commitment to a raw value (the <c>UpdateValue</c> suffix empty).</summary>
    public static byte[] Commit(byte[] opening, byte[] label, uint version, byte[] value)
    {
        var commitment = new byte[CommitmentScheme.CommitmentSize];
        Suite.Commitments.Compute(opening, label, version, value, [], commitment);
        return commitment;
    }

    /// <summary>The prefix-tree leaf hash (KT §11.9).</summary>
    public static byte[] PrefixLeaf(byte[] vrfOutput, byte[] commitment)
    {
        var leaf = new byte[TreeHasher.HashSize];
        Suite.TreeHashes.PrefixLeaf(vrfOutput, commitment, leaf);
        return leaf;
    }

    /// <summary>The root of a prefix tree holding exactly these leaves.</summary>
    public static byte[] PrefixRoot(IReadOnlyList<(byte[] VrfOutput, byte[] Commitment)> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        return PrefixTree.Empty(Suite.TreeHashes)
            .Insert(leaves.Select(l => new PrefixLeaf(Hash32.From(l.VrfOutput), Hash32.From(l.Commitment))).ToArray())
            .Root.ToArray();
    }

    /// <summary>The log-tree leaf value, the hash of <c>LogEntry</c> (KT §11.8).</summary>
    public static byte[] LogLeaf(ulong timestampMs, byte[] prefixRoot)
    {
        var leaf = new byte[TreeHasher.HashSize];
        Suite.TreeHashes.LogLeaf(timestampMs, prefixRoot, leaf);
        return leaf;
    }

    /// <summary>The root of the log tree over these leaf values.</summary>
    public static byte[] LogRoot(IReadOnlyList<byte[]> leafValues)
    {
        ArgumentNullException.ThrowIfNull(leafValues);
        var tree = new InMemoryLogTree(Suite.TreeHashes);
        foreach (byte[] leaf in leafValues)
        {
            tree.Append(Hash32.From(leaf));
        }

        return tree.Root(tree.Size).ToArray();
    }

    /// <summary>The root of the implicit binary search tree over n entries (KT Appendix A).</summary>
    public static ulong ImplicitRoot(ulong n) => ImplicitTree.Root(n);

    /// <summary>The frontier of a log of n entries.</summary>
    public static ulong[] Frontier(ulong n) => ImplicitTree.Frontier(n);

    /// <summary>Versions looked up when <paramref name="greatest"/> is the greatest version present (KT Appendix B).</summary>
    public static uint[] BaseLadder(uint greatest) => BinaryLadder.Base(greatest);

    /// <summary>The search ladder for <paramref name="target"/> where the greatest version is <paramref name="greatest"/>.</summary>
    public static uint[] SearchLadder(uint target, uint greatest) => BinaryLadder.Search(target, greatest);

    /// <summary>The monitoring ladder for <paramref name="target"/>.</summary>
    public static uint[] MonitoringLadder(uint target) => BinaryLadder.Monitoring(target);
}
