using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Server.Dev;

/// <summary>Decoding what the server relays without trusting it: the scenarios look only at what decodes.</summary>
internal static class Wire
{
    /// <summary>The value <paramref name="bytes"/> encodes, or null when it is malformed.</summary>
    public static T? TryDecode<T>(byte[] bytes)
        where T : class, ITlsCodec<T>
    {
        try
        {
            return TlsCodec.Decode<T>(bytes);
        }
        catch (KtFormatException)
        {
            return null;
        }
    }
}
