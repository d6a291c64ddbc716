using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>
/// The whole-buffer encodings of the responses whose layout depends on the deployment mode (and, for a search, on
/// whether a version was asked for), as they travel between the server and its clients. Decoding is strict: a
/// trailing byte is a format error.
/// </summary>
public static class KtMessages
{
    /// <summary>A search response (KT §13.1).</summary>
    public static byte[] Encode(SearchResponse response, bool versionRequested, DeploymentMode mode) =>
        Write(writer => response.Encode(writer, versionRequested, mode));

    /// <summary>A head-and-proof response (contact and owner monitoring, distinguished heads; KT §13.2–§13.6).</summary>
    public static byte[] Encode(HeadAndProofResponse response, DeploymentMode mode) => Write(writer => response.Encode(writer, mode));

    /// <summary>An owner-initialization response (KT §13.3).</summary>
    public static byte[] Encode(OwnerInitResponse response, DeploymentMode mode) => Write(writer => response.Encode(writer, mode));

    /// <summary>
    /// The chained responses to one update request (KT §13.5, last paragraph), as
    /// <c>UpdateResponse responses&lt;0..255&gt;</c> (element count, one byte).
    /// </summary>
    public static byte[] Encode(IReadOnlyList<UpdateResponse> responses, DeploymentMode mode)
    {
        ArgumentNullException.ThrowIfNull(responses);
        return Write(writer =>
        {
            writer.WriteVectorCount(responses.Count, byte.MaxValue);
            foreach (UpdateResponse response in responses)
            {
                response.Encode(writer, mode);
            }
        });
    }

    /// <summary>Reads a whole search response.</summary>
    public static SearchResponse DecodeSearch(ReadOnlySpan<byte> encoded, bool versionRequested, DeploymentMode mode)
    {
        var reader = new TlsReader(encoded);
        SearchResponse response = SearchResponse.Decode(ref reader, versionRequested, mode);
        reader.EnsureEnd();
        return response;
    }

    /// <summary>Reads a whole head-and-proof response.</summary>
    public static HeadAndProofResponse DecodeHeadAndProof(ReadOnlySpan<byte> encoded, DeploymentMode mode)
    {
        var reader = new TlsReader(encoded);
        HeadAndProofResponse response = HeadAndProofResponse.Decode(ref reader, mode);
        reader.EnsureEnd();
        return response;
    }

    /// <summary>Reads a whole owner-initialization response.</summary>
    public static OwnerInitResponse DecodeOwnerInit(ReadOnlySpan<byte> encoded, DeploymentMode mode)
    {
        var reader = new TlsReader(encoded);
        OwnerInitResponse response = OwnerInitResponse.Decode(ref reader, mode);
        reader.EnsureEnd();
        return response;
    }

    /// <summary>Reads the chained update responses.</summary>
    public static UpdateResponse[] DecodeUpdates(ReadOnlySpan<byte> encoded, DeploymentMode mode)
    {
        var reader = new TlsReader(encoded);
        int count = reader.ReadVectorCount(byte.MaxValue);
        var responses = new UpdateResponse[count];
        for (int i = 0; i < count; i++)
        {
            responses[i] = UpdateResponse.Decode(ref reader, mode);
        }

        reader.EnsureEnd();
        return responses;
    }

    private static byte[] Write(Action<TlsWriter> write)
    {
        var writer = new TlsWriter();
        write(writer);
        return writer.ToArray();
    }
}
