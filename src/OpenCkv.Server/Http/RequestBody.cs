using Microsoft.AspNetCore.Http;

namespace OpenCkv.Server.Http;

/// <summary>A body larger than the server accepts (413).</summary>
internal sealed class BodyTooLargeException(int limit) : Exception($"The request body is larger than {limit} bytes.");

/// <summary>
/// Reads a request body once, whole and bounded, so that a signed request's body hash and the handler see the same
/// bytes.
/// </summary>
internal static class RequestBody
{
    private const string Key = "ckv.body";

    public static async Task<byte[]> ReadAsync(HttpContext context, int limit)
    {
        if (context.Items.TryGetValue(Key, out object? cached) && cached is byte[] body)
        {
            return body;
        }

        if (context.Request.ContentLength > limit)
        {
            throw new BodyTooLargeException(limit);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new BodyTooLargeException(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        body = buffer.ToArray();
        context.Items[Key] = body;
        return body;
    }
}
