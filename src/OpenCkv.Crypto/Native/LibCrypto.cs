using System.Runtime.InteropServices;

namespace OpenCkv.Crypto.Native;

/// <summary>
/// The few libcrypto (OpenSSL 3) entry points the native fast path uses, bound at run time through function
/// pointers so that a machine without libcrypto simply gets <see cref="Instance"/> = null and the portable path.
/// </summary>
/// <remarks>
/// Only functions whose constant-time behaviour is documented or evident in OpenSSL's source are used with secret
/// scalars: <c>EC_POINT_mul</c> with a single scalar runs <c>ecp_nistz256_points_mul</c> (fixed windows with
/// constant-time table gathers) on x86-64 builds, and otherwise <c>ossl_ec_scalar_mul_ladder</c> (a Montgomery
/// ladder); both are OpenSSL's ECDSA-signing path.
/// </remarks>
internal sealed unsafe class LibCrypto
{
    /// <summary>OpenSSL's NID for P-256 (<c>NID_X9_62_prime256v1</c>).</summary>
    public const int NidP256 = 415;
    /// <summary><c>POINT_CONVERSION_COMPRESSED</c>.</summary>
    public const int PointConversionCompressed = 2;
    /// <summary><c>BN_FLG_CONSTTIME</c>.</summary>
    public const int BnFlagConstTime = 0x04;
    /// <summary><c>sizeof(SHA256_CTX)</c>: h[8], Nl, Nh, data[16], num, md_len — 28 32-bit words.</summary>
    public const int Sha256ContextSize = 112;

    private static readonly string[] LibraryNames =
        ["libcrypto.so.3", "libcrypto.3.dylib", "libcrypto-3-x64.dll", "libcrypto-3.dll"];

    /// <summary>Inputs longer than this are hashed through an Update binding that lets the GC suspend the thread.</summary>
    public const int ShortInputLimit = 4096;

    public static LibCrypto? Instance { get; } = TryLoad();

    public readonly delegate* unmanaged[SuppressGCTransition]<void*, int> Sha256Init;
    public readonly delegate* unmanaged[SuppressGCTransition]<void*, byte*, nuint, int> Sha256Update;
    public readonly delegate* unmanaged<void*, byte*, nuint, int> Sha256UpdateLong;
    public readonly delegate* unmanaged<nuint> OpenSslVersionNum;
    public readonly delegate* unmanaged[SuppressGCTransition]<byte*, void*, int> Sha256Final;

    public readonly delegate* unmanaged<int, nint> EcGroupNewByCurveName;
    public readonly delegate* unmanaged<nint, nint> EcPointNew;
    public readonly delegate* unmanaged<nint, void> EcPointFree;
    public readonly delegate* unmanaged<nint, nint> EcGroupDup;
    public readonly delegate* unmanaged<nint, void> EcGroupFree;
    public readonly delegate* unmanaged<nint, nint, nint, nint, int> EcGroupSetGenerator;
    public readonly delegate* unmanaged<nint, nint> EcGroupGet0Order;
    public readonly delegate* unmanaged<nint, nint> EcGroupGet0Cofactor;
    public readonly delegate* unmanaged<nint, nint, int> EcGroupPrecomputeMult;
    public readonly delegate* unmanaged<nint, nint, nint, nint, nint, int> EcPointAdd;
    public readonly delegate* unmanaged<nint, nint, byte*, nuint, nint, int> EcPointOct2Point;
    public readonly delegate* unmanaged<nint, nint, int, byte*, nuint, nint, nuint> EcPointPoint2Oct;
    public readonly delegate* unmanaged<nint, nint, nint, nint, nint, nint, int> EcPointMul;
    public readonly delegate* unmanaged<nint, nint, nint, nuint, nint*, nint*, nint, int> EcPointsMul;
    public readonly delegate* unmanaged<nint, nint, int> EcPointIsAtInfinity;
    public readonly delegate* unmanaged<nint> BnCtxNew;
    public readonly delegate* unmanaged<byte*, int, nint, nint> BnBin2Bn;
    public readonly delegate* unmanaged<nint, void> BnClearFree;
    public readonly delegate* unmanaged<nint, int, void> BnSetFlags;
    public readonly delegate* unmanaged<void> ErrClearError;

    private LibCrypto(nint lib)
    {
        Sha256Init = (delegate* unmanaged[SuppressGCTransition]<void*, int>)Export(lib, "SHA256_Init");
        Sha256Update = (delegate* unmanaged[SuppressGCTransition]<void*, byte*, nuint, int>)Export(lib, "SHA256_Update");
        Sha256UpdateLong = (delegate* unmanaged<void*, byte*, nuint, int>)Export(lib, "SHA256_Update");
        OpenSslVersionNum = (delegate* unmanaged<nuint>)Export(lib, "OpenSSL_version_num");
        Sha256Final = (delegate* unmanaged[SuppressGCTransition]<byte*, void*, int>)Export(lib, "SHA256_Final");
        EcGroupNewByCurveName = (delegate* unmanaged<int, nint>)Export(lib, "EC_GROUP_new_by_curve_name");
        EcPointNew = (delegate* unmanaged<nint, nint>)Export(lib, "EC_POINT_new");
        EcGroupDup = (delegate* unmanaged<nint, nint>)Export(lib, "EC_GROUP_dup");
        EcGroupFree = (delegate* unmanaged<nint, void>)Export(lib, "EC_GROUP_free");
        EcGroupSetGenerator = (delegate* unmanaged<nint, nint, nint, nint, int>)Export(lib, "EC_GROUP_set_generator");
        EcGroupGet0Order = (delegate* unmanaged<nint, nint>)Export(lib, "EC_GROUP_get0_order");
        EcGroupGet0Cofactor = (delegate* unmanaged<nint, nint>)Export(lib, "EC_GROUP_get0_cofactor");
        EcGroupPrecomputeMult = (delegate* unmanaged<nint, nint, int>)Export(lib, "EC_GROUP_precompute_mult");
        EcPointAdd = (delegate* unmanaged<nint, nint, nint, nint, nint, int>)Export(lib, "EC_POINT_add");
        EcPointFree = (delegate* unmanaged<nint, void>)Export(lib, "EC_POINT_free");
        EcPointOct2Point = (delegate* unmanaged<nint, nint, byte*, nuint, nint, int>)Export(lib, "EC_POINT_oct2point");
        EcPointPoint2Oct = (delegate* unmanaged<nint, nint, int, byte*, nuint, nint, nuint>)Export(lib, "EC_POINT_point2oct");
        EcPointMul = (delegate* unmanaged<nint, nint, nint, nint, nint, nint, int>)Export(lib, "EC_POINT_mul");
        EcPointsMul = (delegate* unmanaged<nint, nint, nint, nuint, nint*, nint*, nint, int>)Export(lib, "EC_POINTs_mul");
        EcPointIsAtInfinity = (delegate* unmanaged<nint, nint, int>)Export(lib, "EC_POINT_is_at_infinity");
        BnCtxNew = (delegate* unmanaged<nint>)Export(lib, "BN_CTX_new");
        BnBin2Bn = (delegate* unmanaged<byte*, int, nint, nint>)Export(lib, "BN_bin2bn");
        BnClearFree = (delegate* unmanaged<nint, void>)Export(lib, "BN_clear_free");
        BnSetFlags = (delegate* unmanaged<nint, int, void>)Export(lib, "BN_set_flags");
        ErrClearError = (delegate* unmanaged<void>)Export(lib, "ERR_clear_error");
    }

    private static nint Export(nint lib, string name) =>
        NativeLibrary.TryGetExport(lib, name, out nint address)
            ? address
            : throw new EntryPointNotFoundException(name);

    private static LibCrypto? TryLoad()
    {
        foreach (string name in LibraryNames)
        {
            if (!NativeLibrary.TryLoad(name, out nint lib))
            {
                continue;
            }

            try
            {
                var bindings = new LibCrypto(lib);
                return bindings.SelfTest() ? bindings : null;
            }
            catch (EntryPointNotFoundException)
            {
                // A libcrypto without the low-level SHA-256 or EC_POINT API: try the next name.
            }
        }

        return null;
    }

    /// <summary>
    /// Requires OpenSSL 3 and hashes "abc" (FIPS 180-2 example) to make sure the bound layout of SHA256_CTX is right.
    /// </summary>
    private bool SelfTest()
    {
        if (OpenSslVersionNum() < 0x30000000)
        {
            return false; // the bindings and the constant-time argument are for OpenSSL 3
        }

        byte* ctx = stackalloc byte[Sha256ContextSize];
        byte* input = stackalloc byte[] { (byte)'a', (byte)'b', (byte)'c' };
        byte* digest = stackalloc byte[32];
        if (Sha256Init(ctx) != 1 || Sha256Update(ctx, input, 3) != 1 || Sha256Final(digest, ctx) != 1)
        {
            return false;
        }

        ReadOnlySpan<byte> expected = Convert.FromHexString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        return new ReadOnlySpan<byte>(digest, 32).SequenceEqual(expected);
    }
}
