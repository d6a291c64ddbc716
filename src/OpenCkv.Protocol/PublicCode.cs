using System.Security.Cryptography;
using System.Text;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>What comparing a typed or pasted public code with an account key found (docs/ckv-protocol.md §4).</summary>
public enum CodeMatch
{
    /// <summary>The code is the account key's.</summary>
    Match = 1,

    /// <summary>A well-formed code of another key.</summary>
    Mismatch,

    /// <summary>Not a code: a character outside the alphabet, a wrong length, or a checksum that fails (a typo).</summary>
    Typo,

    /// <summary>A well-formed code of a version this software does not know.</summary>
    UnknownVersion,
}

/// <summary>
/// The public verification code of an account key (docs/ckv-protocol.md §4): 130 bits of SHA-256 over a context
/// string and the key, written as "ckv1" and 33 characters of the bech32 alphabet — a version character, 26 data
/// characters and a six-character BCH checksum (the bech32m construction of BIP 350), which detects any error in
/// up to four characters. Case-insensitive; spaces and hyphens are ignored when reading. No personal data.
/// </summary>
public static class PublicCode
{
    private const string Prefix = "ckv";
    private const string Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const int DataCharacters = 26;     // 130 bits
    private const int ChecksumCharacters = 6;
    private const byte Version = 0;
    private const uint Bech32mConstant = 0x2bc830a3;
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    /// <summary>The canonical code of <paramref name="accountKey"/> (lower case, no spaces).</summary>
    public static string Derive(byte[] accountKey)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(Contexts.PublicCode), byte.MaxValue);
        writer.WriteFixed(accountKey, Device.KeySize);
        byte[] digest = SHA256.HashData(writer.WrittenSpan);

        var values = new List<byte>(1 + DataCharacters + ChecksumCharacters) { Version };
        for (int i = 0; i < DataCharacters; i++)
        {
            values.Add(FiveBits(digest, i * 5));
        }

        values.AddRange(Checksum(values));
        var text = new StringBuilder(Prefix).Append('1');
        foreach (byte value in values)
        {
            text.Append(Alphabet[value]);
        }

        return text.ToString();
    }

    /// <summary>The code grouped for reading: the prefix, then groups of five characters.</summary>
    public static string Format(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        string body = code[(Prefix.Length + 1)..];
        var groups = Enumerable.Range(0, (body.Length + 4) / 5).Select(i => body.Substring(i * 5, Math.Min(5, body.Length - (i * 5))));
        return code[..(Prefix.Length + 1)] + " " + string.Join(' ', groups);
    }

    /// <summary>Compares a code as a person typed or pasted it with <paramref name="accountKey"/>.</summary>
    public static CodeMatch Compare(string text, byte[] accountKey)
    {
        ArgumentNullException.ThrowIfNull(text);
        string canonical = string.Concat(text.Where(c => c is not (' ' or '-' or '\t'))).ToLowerInvariant();
        if (canonical.Length != Prefix.Length + 1 + 1 + DataCharacters + ChecksumCharacters || !canonical.StartsWith(Prefix + "1", StringComparison.Ordinal))
        {
            return CodeMatch.Typo;
        }

        var values = new List<byte>();
        foreach (char c in canonical[(Prefix.Length + 1)..])
        {
            int value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return CodeMatch.Typo;
            }

            values.Add((byte)value);
        }

        if (Polymod(Expand(Prefix).Concat(values)) != Bech32mConstant)
        {
            return CodeMatch.Typo;
        }

        if (values[0] != Version)
        {
            return CodeMatch.UnknownVersion;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(canonical), Encoding.ASCII.GetBytes(Derive(accountKey)))
            ? CodeMatch.Match
            : CodeMatch.Mismatch;
    }

    /// <summary>Five bits of <paramref name="bytes"/> starting at bit <paramref name="bit"/> (most significant first).</summary>
    private static byte FiveBits(byte[] bytes, int bit)
    {
        int value = 0;
        for (int i = 0; i < 5; i++)
        {
            int at = bit + i;
            value = (value << 1) | ((bytes[at >> 3] >> (7 - (at & 7))) & 1);
        }

        return (byte)value;
    }

    /// <summary>BIP 173's checksum over the expanded prefix and the values, with BIP 350's constant.</summary>
    private static byte[] Checksum(IReadOnlyList<byte> values)
    {
        uint polymod = Polymod(Expand(Prefix).Concat(values).Concat(new byte[ChecksumCharacters])) ^ Bech32mConstant;
        return [.. Enumerable.Range(0, ChecksumCharacters).Select(i => (byte)((polymod >> (5 * (5 - i))) & 31))];
    }

    /// <summary>BIP 173's expansion of a human-readable prefix: high bits, a zero, low bits.</summary>
    internal static IEnumerable<byte> Expand(string prefix) =>
        prefix.Select(c => (byte)(c >> 5)).Append((byte)0).Concat(prefix.Select(c => (byte)(c & 31)));

    /// <summary>True when <paramref name="text"/> is a valid bech32m string (any prefix); for checking the checksum code.</summary>
    internal static bool IsValidBech32m(string text)
    {
        string lower = text.ToLowerInvariant();
        int separator = lower.LastIndexOf('1');
        var values = lower[(separator + 1)..].Select(c => Alphabet.IndexOf(c, StringComparison.Ordinal)).ToArray();
        return separator > 0 && values.All(v => v >= 0) && Polymod(Expand(lower[..separator]).Concat(values.Select(v => (byte)v))) == Bech32mConstant;
    }

    internal static uint Polymod(IEnumerable<byte> values)
    {
        uint check = 1;
        foreach (byte value in values)
        {
            uint top = check >> 25;
            check = ((check & 0x1ffffff) << 5) ^ value;
            for (int i = 0; i < 5; i++)
            {
                if (((top >> i) & 1) != 0)
                {
                    check ^= Generator[i];
                }
            }
        }

        return check;
    }
}
