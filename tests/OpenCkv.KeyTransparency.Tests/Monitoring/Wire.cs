using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Monitoring;

/// <summary>Head-and-proof responses through their wire encoding, as a client receives them.</summary>
internal static class Wire
{
    public static byte[] Encode(HeadAndProofResponse response, TransparencyLog log)
    {
        var writer = new TlsWriter();
        response.Encode(writer, log.Configuration.Mode);
        return writer.ToArray();
    }

    /// <summary>Strict decoding of a whole buffer: trailing bytes are a format error.</summary>
    public static HeadAndProofResponse Decode(byte[] encoded, TransparencyLog log)
    {
        var reader = new TlsReader(encoded);
        HeadAndProofResponse response = HeadAndProofResponse.Decode(ref reader, log.Configuration.Mode);
        reader.EnsureEnd();
        return response;
    }
}
