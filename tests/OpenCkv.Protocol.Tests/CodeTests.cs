using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;

namespace OpenCkv.Protocol.Tests;

/// <summary>
/// Public verification codes (docs/ckv-protocol.md §4) and on-device comparison codes (§5): the checksum is the
/// bech32m one (BIP 350 vectors), every single-character typo and every adjacent swap is reported as a typo rather
/// than a mismatch, codes ignore case and spacing, and the comparison commitment binds every opened field.
/// </summary>
public sealed class CodeTests
{
    [Theory]
    [InlineData("a1lqfn3a")]
    [InlineData("A1LQFN3A")]
    [InlineData("?1v759aa")]
    public void The_checksum_accepts_the_bip_350_valid_vectors(string text) => Assert.True(PublicCode.IsValidBech32m(text));

    [Theory]
    [InlineData("a1lqfn3b")]
    [InlineData("a1qqfn3a")]
    public void The_checksum_refuses_changed_vectors(string text) => Assert.False(PublicCode.IsValidBech32m(text));

    [Fact]
    public void A_code_matches_its_key_in_any_case_or_grouping_and_not_another_key()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        using var other = EcdsaP256PrivateKey.Generate();
        byte[] accountKey = key.PublicKey.Encoded.ToArray();
        string code = PublicCode.Derive(accountKey);
        Assert.Equal(37, code.Length);
        Assert.StartsWith("ckv1q", code, StringComparison.Ordinal);
        Assert.Equal(CodeMatch.Match, PublicCode.Compare(code, accountKey));
        Assert.Equal(CodeMatch.Match, PublicCode.Compare(PublicCode.Format(code).ToUpperInvariant(), accountKey));
        Assert.Equal(CodeMatch.Match, PublicCode.Compare(string.Join('-', code.Chunk(4).Select(c => new string(c))), accountKey));
        Assert.Equal(CodeMatch.Mismatch, PublicCode.Compare(code, other.PublicKey.Encoded.ToArray()));
    }

    [Fact]
    public void Every_single_character_typo_and_every_adjacent_swap_is_a_typo_not_a_mismatch()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        byte[] accountKey = key.PublicKey.Encoded.ToArray();
        string code = PublicCode.Derive(accountKey);
        const string alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        for (int i = 4; i < code.Length; i++)
        {
            foreach (char c in alphabet.Where(c => c != code[i]))
            {
                string typo = code[..i] + c + code[(i + 1)..];
                Assert.Equal(CodeMatch.Typo, PublicCode.Compare(typo, accountKey));
            }

            if (i + 1 < code.Length && code[i] != code[i + 1])
            {
                string swapped = code[..i] + code[i + 1] + code[i] + code[(i + 2)..];
                Assert.Equal(CodeMatch.Typo, PublicCode.Compare(swapped, accountKey));
            }
        }

        Assert.Equal(CodeMatch.Typo, PublicCode.Compare(code[..^1], accountKey));
        Assert.Equal(CodeMatch.Typo, PublicCode.Compare(code + "q", accountKey));
        Assert.Equal(CodeMatch.Typo, PublicCode.Compare(code.Replace('q', 'b'), accountKey)); // 'b' is not in the alphabet
    }

    [Fact]
    public void Both_sides_of_a_comparison_get_one_code_that_every_input_changes()
    {
        byte[] keyA = EcdsaP256PrivateKey.Generate().PublicKey.Encoded.ToArray(), keyB = EcdsaP256PrivateKey.Generate().PublicKey.Encoded.ToArray();
        byte[] devA = RandomNumberGenerator.GetBytes(16), devB = RandomNumberGenerator.GetBytes(16);
        byte[] nonceA = RandomNumberGenerator.GetBytes(32), nonceB = RandomNumberGenerator.GetBytes(32);

        byte[] commitment = ComparisonCode.Commit(ComparisonRole.Initiator, keyA, devA, nonceA);
        Assert.True(ComparisonCode.Opens(commitment, keyA, devA, nonceA));
        Assert.False(ComparisonCode.Opens(commitment, keyA, devA, RandomNumberGenerator.GetBytes(32)));
        Assert.False(ComparisonCode.Opens(commitment, keyB, devA, nonceA));
        Assert.False(ComparisonCode.Opens(ComparisonCode.Commit(ComparisonRole.Responder, keyA, devA, nonceA), keyA, devA, nonceA));

        string code = ComparisonCode.Code(keyA, devA, nonceA, keyB, devB, nonceB);
        Assert.Matches("^[0-9]{8}$", code);
        Assert.Equal(code, ComparisonCode.Code(keyA, devA, nonceA, keyB, devB, nonceB));
        byte[][] inputs = [keyA, devA, nonceA, keyB, devB, nonceB];
        int changed = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            byte[][] altered = [.. inputs.Select(a => (byte[])a.Clone())];
            altered[i][^1] ^= 1;
            changed += ComparisonCode.Code(altered[0], altered[1], altered[2], altered[3], altered[4], altered[5]) != code ? 1 : 0;
        }

        Assert.True(changed >= 5, $"only {changed} of 6 changed inputs changed the code"); // an 8-digit code collides with probability 10^-8
        Assert.NotEqual(code, ComparisonCode.Code(keyB, devB, nonceB, keyA, devA, nonceA)); // roles are not interchangeable
    }

    [Fact]
    public void A_request_signature_covers_method_path_body_account_device_time_and_nonce()
    {
        byte[] account = RandomNumberGenerator.GetBytes(16), device = RandomNumberGenerator.GetBytes(16), nonce = RandomNumberGenerator.GetBytes(16);
        byte[] body = "{\"x\":1}"u8.ToArray();
        byte[] signed = RequestSignature.ToBeSigned("post", "/v1/search?x=1", body, account, device, 1_750_000_000_000, nonce);
        Assert.Equal(signed, RequestSignature.ToBeSigned("POST", "/v1/search?x=1", body, account, device, 1_750_000_000_000, nonce));
        byte[][] variants =
        [
            RequestSignature.ToBeSigned("GET", "/v1/search?x=1", body, account, device, 1_750_000_000_000, nonce),
            RequestSignature.ToBeSigned("POST", "/v1/search?x=2", body, account, device, 1_750_000_000_000, nonce),
            RequestSignature.ToBeSigned("POST", "/v1/search?x=1", "{\"x\":2}"u8, account, device, 1_750_000_000_000, nonce),
            RequestSignature.ToBeSigned("POST", "/v1/search?x=1", body, device, device, 1_750_000_000_000, nonce),
            RequestSignature.ToBeSigned("POST", "/v1/search?x=1", body, account, account, 1_750_000_000_000, nonce),
            RequestSignature.ToBeSigned("POST", "/v1/search?x=1", body, account, device, 1_750_000_000_001, nonce),
            RequestSignature.ToBeSigned("POST", "/v1/search?x=1", body, account, device, 1_750_000_000_000, RandomNumberGenerator.GetBytes(16)),
        ];
        Assert.All(variants, v => Assert.NotEqual(signed, v));
        Assert.Throws<ArgumentException>(() => RequestSignature.ToBeSigned("POST", "/", body, account, device, 1, new byte[15])); // a nonce under 128 bits
    }
}
