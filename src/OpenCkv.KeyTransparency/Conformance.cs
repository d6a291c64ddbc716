using OpenCkv.Crypto;
using OpenCkv.Crypto.Hashing;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>
/// The stable facade that independent conformance suites call: byte arrays in, byte arrays out, always on the
/// fastest crypto path of the machine. Signatures are fixed by the project's design document.
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
    public static byte[] PrefixRoot(IReadOnlyList<(byte[] VrfOutput, byte[] Commitment)> leaves) =>
        throw new NotImplementedException("The prefix tree arrives with the key transparency core, part 1.");

    /// <summary>The log-tree leaf value, the hash of <c>LogEntry</c> (KT §11.8).</summary>
    public static byte[] LogLeaf(ulong timestampMs, byte[] prefixRoot)
    {
        var leaf = new byte[TreeHasher.HashSize];
        Suite.TreeHashes.LogLeaf(timestampMs, prefixRoot, leaf);
        return leaf;
    }

    /// <summary>The root of the log tree over these leaf values.</summary>
    public static byte[] LogRoot(IReadOnlyList<byte[]> leafValues) =>
        throw new NotImplementedException("The log tree arrives with the key transparency core, part 1.");

    /// <summary>The root of the implicit binary search tree over n entries (KT Appendix A).</summary>
    public static ulong ImplicitRoot(ulong n) =>
        throw new NotImplementedException("The implicit search tree arrives with the key transparency core, part 1.");

    /// <summary>The frontier of a log of n entries.</summary>
    public static ulong[] Frontier(ulong n) =>
        throw new NotImplementedException("The implicit search tree arrives with the key transparency core, part 1.");

    /// <summary>Versions looked up when <paramref name="greatest"/> is the greatest version present (KT Appendix B).</summary>
    public static uint[] BaseLadder(uint greatest) =>
        throw new NotImplementedException("Binary ladders arrive with the key transparency core, part 1.");

    /// <summary>The search ladder for <paramref name="target"/> where the greatest version is <paramref name="greatest"/>.</summary>
    public static uint[] SearchLadder(uint target, uint greatest) =>
        throw new NotImplementedException("Binary ladders arrive with the key transparency core, part 1.");

    /// <summary>The monitoring ladder for <paramref name="target"/>.</summary>
    public static uint[] MonitoringLadder(uint target) =>
        throw new NotImplementedException("Binary ladders arrive with the key transparency core, part 1.");
}
