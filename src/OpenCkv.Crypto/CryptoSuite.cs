using OpenCkv.Crypto.Hashing;
using OpenCkv.Crypto.Native;
using OpenCkv.Crypto.Portable;
using OpenCkv.Crypto.Vrf;
using Org.BouncyCastle.Math.EC;

namespace OpenCkv.Crypto;

/// <summary>
/// The primitives of KEYTRANS cipher suite 0x0001 KT_128_SHA256_P256 (KT §11.1, §17.1) bound to one implementation.
/// <see cref="Fastest"/> is the native path when the machine's libcrypto loads and passes its self-test, the
/// portable path otherwise. An application that wants the portable path everywhere asks for
/// <see cref="Portable"/>; the choice is made at run time, and both paths pass the same known-answer tests.
/// </summary>
public sealed class CryptoSuite
{
    /// <summary>The KT cipher suite value (KT §17.1 registry).</summary>
    public const ushort CipherSuiteValue = 0x0001;

    private static readonly Lazy<CryptoSuite> PortableSuite = new(CreatePortable);
    private static readonly Lazy<CryptoSuite?> NativeSuite = new(CreateNative);

    private CryptoSuite(CryptoPath path, Sha256Engine sha256, EcVrfP256 vrf)
    {
        Path = path;
        Sha256 = sha256;
        Vrf = vrf;
        Commitments = new CommitmentScheme(sha256);
        TreeHashes = new TreeHasher(sha256);
    }

    /// <summary>The portable path: available everywhere .NET runs.</summary>
    public static CryptoSuite Portable => PortableSuite.Value;

    /// <summary>The native path, or null where libcrypto cannot be loaded.</summary>
    public static CryptoSuite? Native => NativeSuite.Value;

    /// <summary>The fastest path available on this machine.</summary>
    public static CryptoSuite Fastest => Native ?? Portable;

    /// <summary>The suite for a path chosen by name ("native", "portable" or "auto"), e.g. from a command-line flag.</summary>
    /// <exception cref="ArgumentException">Unknown name, or "native" where libcrypto cannot be loaded.</exception>
    public static CryptoSuite ForPath(string name) => name.ToUpperInvariant() switch
    {
        "AUTO" => Fastest,
        "PORTABLE" => Portable,
        "NATIVE" => Native ?? throw new ArgumentException("The native crypto path needs libcrypto 3, which did not load here.", nameof(name)),
        _ => throw new ArgumentException($"Unknown crypto path '{name}': use auto, native or portable.", nameof(name)),
    };

    /// <summary>The implementation behind this suite.</summary>
    public CryptoPath Path { get; }

    /// <summary>SHA-256 over small inputs.</summary>
    public Sha256Engine Sha256 { get; }

    /// <summary>ECVRF-P256-SHA256-TAI.</summary>
    public EcVrfP256 Vrf { get; }

    /// <summary>KT §11.6 commitments.</summary>
    public CommitmentScheme Commitments { get; }

    /// <summary>KT §11.8–§11.9 log-tree and prefix-tree node hashing.</summary>
    public TreeHasher TreeHashes { get; }

    private static CryptoSuite CreatePortable()
    {
        var sha = PortableSha256Engine.Instance;
        var vrf = new EcVrfP256(new EcVrfAlgorithm<PortableP256Group, ECPoint>(new PortableP256Group(sha)), CryptoPath.Portable);
        return new CryptoSuite(CryptoPath.Portable, sha, vrf);
    }

    private static CryptoSuite? CreateNative()
    {
        LibCrypto? lib = LibCrypto.Instance;
        if (lib is null)
        {
            return null;
        }

        var sha = new NativeSha256Engine(lib);
        var vrf = new EcVrfP256(new EcVrfAlgorithm<NativeP256Group, nint>(new NativeP256Group(lib, sha)), CryptoPath.Native);
        return new CryptoSuite(CryptoPath.Native, sha, vrf);
    }
}
