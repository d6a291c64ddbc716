using System.Collections.Concurrent;
using System.Security.Cryptography;
using OtpNet;

namespace OpenCkv.Directory.Accounts;

/// <summary>
/// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits — what authenticator apps
/// expect), with one step of clock drift either way, and each step accepted once per account so an observed code
/// cannot be replayed.
/// </summary>
public sealed class SecondFactor(TimeProvider time)
{
    /// <summary>The secret's length: 160 bits, RFC 4226 §4's recommendation.</summary>
    public const int SecretSize = 20;

    private readonly ConcurrentDictionary<string, long> _lastStep = new(StringComparer.Ordinal);

    /// <summary>A fresh secret.</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretSize);

    /// <summary>The secret in base32, as authenticator apps take it.</summary>
    public static string Base32(byte[] secret) => Base32Encoding.ToString(secret);

    /// <summary>The otpauth:// URI an authenticator app scans.</summary>
    public static string Uri(byte[] secret, string accountName) =>
        $"otpauth://totp/OpenCKV:{System.Uri.EscapeDataString(accountName)}?secret={Base32(secret)}&issuer=OpenCKV&algorithm=SHA1&digits=6&period=30";

    /// <summary>The code for <paramref name="secret"/> now (for tests and the CLI's own authenticator).</summary>
    public string Code(byte[] secret) => new Totp(secret).ComputeTotp(time.GetUtcNow().UtcDateTime);

    /// <summary>True, once, for a current code of <paramref name="secret"/>; a step already used is refused.</summary>
    public bool Accept(byte[] accountId, byte[] secret, string? code)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(secret);
        if (code is not { Length: 6 } || !code.All(char.IsAsciiDigit))
        {
            return false;
        }

        var totp = new Totp(secret);
        if (!totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code, out long step, new VerificationWindow(previous: 1, future: 1)))
        {
            return false;
        }

        string key = Convert.ToHexString(accountId);
        while (true)
        {
            if (_lastStep.TryGetValue(key, out long last))
            {
                if (step <= last || !_lastStep.TryUpdate(key, step, last))
                {
                    if (step <= last)
                    {
                        return false;
                    }

                    continue;
                }

                return true;
            }

            if (_lastStep.TryAdd(key, step))
            {
                return true;
            }
        }
    }
}
