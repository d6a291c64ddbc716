using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>
/// KT §11.7: the VRF input for a label-version pair, <c>struct { opaque label&lt;0..2^8-1&gt;; uint32 version; }</c>.
/// Its output is the pair's search key in the prefix tree.
/// </summary>
public sealed record VrfInput(byte[] Label, uint Version) : ITlsCodec<VrfInput>
{
    /// <summary>The ceiling of <c>label&lt;0..2^8-1&gt;</c>.</summary>
    public const int MaxLabelLength = byte.MaxValue;

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOpaque(Label, MaxLabelLength);
        writer.WriteUInt32(Version);
    }

    /// <inheritdoc />
    public static VrfInput Decode(ref TlsReader reader) =>
        new(reader.ReadOpaque(MaxLabelLength).ToArray(), reader.ReadUInt32());
}
