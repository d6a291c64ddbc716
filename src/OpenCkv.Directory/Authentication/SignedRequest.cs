namespace OpenCkv.Directory.Authentication;

/// <summary>
/// A request's signature and what it claims (docs/ckv-protocol.md §3), taken from the HTTP headers
/// <c>CKV-Account</c>, <c>CKV-Device</c> (hex ids), <c>CKV-Timestamp</c> (milliseconds), <c>CKV-Nonce</c> and
/// <c>CKV-Signature</c> (base64url).
/// </summary>
public sealed record SignedRequest(string Method, string PathAndQuery, byte[] Body, byte[] AccountId, byte[] DeviceId, ulong TimestampMs, byte[] Nonce, byte[] Signature)
{
    /// <summary>Header names.</summary>
    public const string AccountHeader = "CKV-Account", DeviceHeader = "CKV-Device", TimestampHeader = "CKV-Timestamp", NonceHeader = "CKV-Nonce", SignatureHeader = "CKV-Signature";

    /// <summary>Reads the headers; null when none of them is present.</summary>
    /// <exception cref="AuthenticationException">Some are present but missing or malformed.</exception>
    public static SignedRequest? FromHeaders(string method, string pathAndQuery, byte[] body, Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        string?[] values = [header(AccountHeader), header(DeviceHeader), header(TimestampHeader), header(NonceHeader), header(SignatureHeader)];
        if (values.All(v => v is null))
        {
            return null;
        }

        if (values.Any(v => v is null))
        {
            throw new AuthenticationException(AuthenticationFailure.Malformed, "A signed request carries all five CKV- headers.");
        }

        // Methods are upper-case ASCII tokens (RFC 9110 §9.1): nothing else can be signed unambiguously.
        if (method.Length is 0 or > 16 || !method.All(char.IsAsciiLetterUpper))
        {
            throw new AuthenticationException(AuthenticationFailure.Malformed, "The method is not an upper-case ASCII token.");
        }

        try
        {
            byte[] account = Convert.FromHexString(values[0]!);
            byte[] device = Convert.FromHexString(values[1]!);
            byte[] nonce = Base64Url(values[3]!);
            byte[] signature = Base64Url(values[4]!);
            if (account.Length != Protocol.HandleRecord.AccountIdSize || device.Length != Protocol.Device.IdSize ||
                nonce.Length is < Protocol.RequestSignature.MinNonceSize or > 64 || signature.Length != Protocol.Device.SignatureSize ||
                !ulong.TryParse(values[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong timestamp))
            {
                throw new AuthenticationException(AuthenticationFailure.Malformed, "A CKV- header has the wrong length or form.");
            }

            return new SignedRequest(method, pathAndQuery, body, account, device, timestamp, nonce, signature);
        }
        catch (FormatException)
        {
            throw new AuthenticationException(AuthenticationFailure.Malformed, "A CKV- header is not valid hex or base64url.");
        }
    }

    private static byte[] Base64Url(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
