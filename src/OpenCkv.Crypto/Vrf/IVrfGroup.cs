using OpenCkv.Crypto.Hashing;

namespace OpenCkv.Crypto.Vrf;

/// <summary>
/// The P-256 operations ECVRF needs, over a backend's own point representation. Operations named "Secret" must be
/// constant-time in the scalar; the others only ever see public values.
/// </summary>
internal interface IVrfGroup<TPoint>
{
    Sha256Engine Hash { get; }

    /// <summary>SEC1 compressed decoding (33 bytes, 0x02/0x03, x &lt; p, on the curve); false for anything else.</summary>
    bool TryDecompress(ReadOnlySpan<byte> encoded, out TPoint point);

    /// <summary>
    /// <see cref="TryDecompress"/> for a VRF public key, which a backend may cache: a log has one VRF key, and every
    /// proof a client checks is under it.
    /// </summary>
    bool TryDecompressPublicKey(ReadOnlySpan<byte> encoded, out TPoint point);

    /// <summary>SEC1 compressed encoding into 33 bytes; false for the identity.</summary>
    bool TryCompress(TPoint point, Span<byte> destination);

    TPoint MultiplySecret(ReadOnlySpan<byte> scalar, TPoint point);

    TPoint MultiplyBaseSecret(ReadOnlySpan<byte> scalar);

    /// <summary>a·G + b·Q for public scalars.</summary>
    TPoint MultiplyAddBase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, TPoint q);

    /// <summary>a·P + b·Q for public scalars.</summary>
    TPoint MultiplyAdd(ReadOnlySpan<byte> a, TPoint p, ReadOnlySpan<byte> b, TPoint q);

    /// <summary>Frees native resources behind a point (a no-op for managed points).</summary>
    void Release(TPoint point);
}
