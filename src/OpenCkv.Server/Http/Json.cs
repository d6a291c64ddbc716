using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenCkv.Server.Http;

/// <summary>A body that is not the JSON the endpoint takes (400).</summary>
internal sealed class BadInputException(string message) : Exception(message);

/// <summary>The API's JSON: camelCase, strict about unknown members and missing required ones.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static T Parse<T>(byte[] body)
    {
        if (body.Length == 0)
        {
            throw new BadInputException("The request needs a JSON body.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, Options) ?? throw new BadInputException("The JSON body is null.");
        }
        catch (JsonException e)
        {
            throw new BadInputException($"The JSON body is not valid for this request: {e.Message}");
        }
    }

    /// <summary>Decodes base64 (standard or url-safe) from a JSON string field.</summary>
    public static byte[] Base64(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new BadInputException($"'{field}' is required.");
        }

        try
        {
            return text.Contains('-', StringComparison.Ordinal) || text.Contains('_', StringComparison.Ordinal) || !text.EndsWith('=') && text.Length % 4 != 0
                ? System.Buffers.Text.Base64Url.DecodeFromChars(text)
                : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new BadInputException($"'{field}' is not base64.");
        }
    }

    /// <summary>Decodes a 16-byte id written in hex.</summary>
    public static byte[] Id(string? text, string field)
    {
        try
        {
            byte[] id = Convert.FromHexString(text ?? string.Empty);
            return id.Length == 16 ? id : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new BadInputException($"'{field}' is not a 16-byte id in hex.");
        }
    }
}
