using System.Numerics;
using System.Security.Cryptography;
using CsCheck;
using OpenCkv.Crypto.Hpke;

namespace OpenCkv.Crypto.Tests;

/// <summary>
/// HPKE round trips with random keys, and every changed or malformed input a recipient can be given refused with
/// <see cref="HpkeOpenException"/>: ciphertext, encapsulated key, associated data, info, order of messages.
/// </summary>
public sealed class HpkeNegativeTests
{
    private static readonly BigInteger P = BigInteger.Parse(
        "0ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly BigInteger B = BigInteger.Parse(
        "05ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly byte[] N = Convert.FromHexString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

    private static readonly byte[] Info = "OpenCKV test info"u8.ToArray();
    private static readonly byte[] Aad = "associated data"u8.ToArray();
    private static readonly byte[] Message = "a message to one device"u8.ToArray();

    [Fact]
    public void Seal_then_open_round_trips_with_random_keys_and_lengths()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Byte.Array[0, 40], Gen.Byte.Array[0, 40]).Sample((plaintext, info, aad) =>
        {
            using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            (byte[] enc, byte[] ciphertext) = HpkeP256.Seal(HpkeP256.SerializePublicKey(recipient), info, aad, plaintext);
            Assert.Equal(HpkeP256.EncapsulatedKeySize, enc.Length);
            Assert.Equal(plaintext.Length + HpkeP256.TagSize, ciphertext.Length);
            Assert.Equal(plaintext, HpkeP256.Open(recipient, enc, info, aad, ciphertext));
            Assert.True(HpkeP256.TryOpen(recipient, enc, info, aad, ciphertext, out byte[]? opened));
            Assert.Equal(plaintext, opened);
        }, iter: 50);
    }

    [Fact]
    public void Two_seals_of_one_message_differ()
    {
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        byte[] publicKey = HpkeP256.SerializePublicKey(recipient);
        (byte[] enc1, byte[] ct1) = HpkeP256.Seal(publicKey, Info, Aad, Message);
        (byte[] enc2, byte[] ct2) = HpkeP256.Seal(publicKey, Info, Aad, Message);
        Assert.NotEqual(enc1, enc2);
        Assert.NotEqual(ct1, ct2);
    }

    [Fact]
    public void Every_flipped_byte_of_the_ciphertext_is_refused()
    {
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        (byte[] enc, byte[] ciphertext) = HpkeP256.Seal(HpkeP256.SerializePublicKey(recipient), Info, Aad, Message);
        for (int i = 0; i < ciphertext.Length; i++)
        {
            byte[] changed = Flip(ciphertext, i);
            AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => HpkeP256.Open(recipient, enc, Info, Aad, changed));
        }

        AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => HpkeP256.Open(recipient, enc, Info, Aad, [.. ciphertext, 0]));
        AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => HpkeP256.Open(recipient, enc, Info, Aad, ciphertext[..^1]));
    }

    [Fact]
    public void Every_flipped_byte_of_the_encapsulated_key_is_refused()
    {
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        (byte[] enc, byte[] ciphertext) = HpkeP256.Seal(HpkeP256.SerializePublicKey(recipient), Info, Aad, Message);
        for (int i = 0; i < enc.Length; i++)
        {
            byte[] changed = Flip(enc, i);
            // A changed coordinate almost surely leaves the curve; either way nothing opens.
            HpkeOpenException e = Assert.Throws<HpkeOpenException>(() => HpkeP256.Open(recipient, changed, Info, Aad, ciphertext));
            Assert.Contains(e.Failure, new[] { HpkeOpenFailure.InvalidEncapsulatedKey, HpkeOpenFailure.AuthenticationFailed });
            Assert.False(HpkeP256.TryOpen(recipient, changed, Info, Aad, ciphertext, out byte[]? plaintext));
            Assert.Null(plaintext);
        }
    }

    [Fact]
    public void Every_flipped_byte_of_the_aad_or_the_info_is_refused()
    {
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        (byte[] enc, byte[] ciphertext) = HpkeP256.Seal(HpkeP256.SerializePublicKey(recipient), Info, Aad, Message);
        for (int i = 0; i < Aad.Length; i++)
        {
            byte[] aad = Flip(Aad, i);
            AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => HpkeP256.Open(recipient, enc, Info, aad, ciphertext));
        }

        for (int i = 0; i < Info.Length; i++)
        {
            byte[] info = Flip(Info, i);
            AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => HpkeP256.Open(recipient, enc, info, Aad, ciphertext));
        }

        AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => HpkeP256.Open(recipient, enc, [], Aad, ciphertext));
        AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => HpkeP256.Open(recipient, enc, Info, [], ciphertext));
    }

    [Fact]
    public void A_message_sealed_to_another_key_is_refused()
    {
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        (byte[] enc, byte[] ciphertext) = HpkeP256.Seal(HpkeP256.SerializePublicKey(other), Info, Aad, Message);
        AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => HpkeP256.Open(recipient, enc, Info, Aad, ciphertext));
    }

    [Fact]
    public void A_ciphertext_shorter_than_the_tag_is_refused()
    {
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        (byte[] enc, byte[] ciphertext) = HpkeP256.Seal(HpkeP256.SerializePublicKey(recipient), Info, Aad, []);
        Assert.Equal(HpkeP256.TagSize, ciphertext.Length);
        Assert.Empty(HpkeP256.Open(recipient, enc, Info, Aad, ciphertext));
        for (int length = 0; length < HpkeP256.TagSize; length++)
        {
            byte[] truncated = ciphertext[..length];
            AssertRefused(HpkeOpenFailure.CiphertextTooShort, () => HpkeP256.Open(recipient, enc, Info, Aad, truncated));
        }
    }

    [Fact]
    public void An_encapsulated_key_of_the_wrong_length_or_form_is_refused()
    {
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        (byte[] enc, byte[] ciphertext) = HpkeP256.Seal(HpkeP256.SerializePublicKey(recipient), Info, Aad, Message);
        byte[] compressed = [(byte)(0x02 | (enc[64] & 1)), .. enc[1..33]];
        byte[] hybrid = [(byte)(0x06 | (enc[64] & 1)), .. enc[1..]];
        byte[] offCurve = Flip(enc, 64);
        byte[][] malformed = [[], [0x00], enc[..64], [.. enc, 0], compressed, hybrid, offCurve, [0x04, .. new byte[64]], new byte[65]];
        foreach (byte[] bad in malformed)
        {
            AssertRefused(HpkeOpenFailure.InvalidEncapsulatedKey, () => HpkeP256.Open(recipient, bad, Info, Aad, ciphertext));
            AssertRefused(HpkeOpenFailure.InvalidEncapsulatedKey, () => HpkeP256.SetupBaseRecipient(recipient, bad, Info).Dispose());
        }
    }

    [Fact]
    public void An_encapsulated_key_with_a_coordinate_not_reduced_below_p_is_refused()
    {
        // A point with x < 2^256 − p, so that x + p still fits in 32 bytes and names the same field element.
        (BigInteger x, BigInteger y) = SmallPoint();
        byte[] canonical = [0x04, .. Be32(x), .. Be32(y)];
        byte[] unreduced = [0x04, .. Be32(x + P), .. Be32(y)];
        Assert.True(DhKemP256.TryDeserializePublicKey(canonical, out ECDiffieHellman? key));
        key.Dispose();
        Assert.False(DhKemP256.TryDeserializePublicKey(unreduced, out _));

        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        AssertRefused(HpkeOpenFailure.InvalidEncapsulatedKey, () => HpkeP256.Open(recipient, unreduced, Info, Aad, new byte[32]));
        AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => HpkeP256.Open(recipient, canonical, Info, Aad, new byte[32]));
    }

    [Fact]
    public void The_recipient_context_opens_in_order_and_a_refused_message_keeps_its_sequence_number()
    {
        using var recipientKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using HpkeSenderContext sender = HpkeP256.SetupBaseSender(HpkeP256.SerializePublicKey(recipientKey), Info);
        byte[] first = sender.Seal(Aad, "first"u8);
        byte[] second = sender.Seal(Aad, "second"u8);

        using HpkeRecipientContext recipient = HpkeP256.SetupBaseRecipient(recipientKey, sender.EncapsulatedKey, Info);
        AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => recipient.Open(Aad, second)); // out of order
        AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => recipient.Open(Aad, Flip(first, 0)));
        AssertRefused(HpkeOpenFailure.CiphertextTooShort, () => recipient.Open(Aad, first[..15]));
        Assert.Equal("first"u8.ToArray(), recipient.Open(Aad, first));
        AssertRefused(HpkeOpenFailure.AuthenticationFailed, () => recipient.Open(Aad, first)); // replayed
        Assert.Equal("second"u8.ToArray(), recipient.Open(Aad, second));
        Assert.Equal(sender.Export("label"u8, 48), recipient.Export("label"u8, 48));
        Assert.NotEqual(sender.Export("label"u8, 32), sender.Export("other"u8, 32));
    }

    [Fact]
    public void A_private_key_must_be_a_scalar_in_one_to_n_minus_one()
    {
        byte[] nPlusOne = (byte[])N.Clone();
        nPlusOne[31]++;
        byte[] nMinusOne = (byte[])N.Clone();
        nMinusOne[31]--;
        byte[][] invalid = [new byte[32], N, nPlusOne, Enumerable.Repeat((byte)0xff, 32).ToArray(), new byte[31], [.. new byte[32], 1]];
        foreach (byte[] scalar in invalid)
        {
            Assert.Throws<ArgumentException>(() => HpkeP256.ImportPrivateKey(scalar));
        }

        using ECDiffieHellman top = HpkeP256.ImportPrivateKey(nMinusOne);
        using ECDiffieHellman one = HpkeP256.ImportPrivateKey([.. new byte[31], 1]);
        Assert.Equal(
            Convert.FromHexString("04" + "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296" + "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
            HpkeP256.SerializePublicKey(one));
        Assert.Throws<ArgumentException>(() => HpkeP256.DeriveKeyPair(new byte[31]));
    }

    [Fact]
    public void Caller_errors_are_argument_errors_not_open_failures()
    {
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        byte[] publicKey = HpkeP256.SerializePublicKey(recipient);
        Assert.Throws<ArgumentException>(() => HpkeP256.Seal(Flip(publicKey, 64), Info, Aad, Message));
        Assert.Throws<ArgumentException>(() => HpkeP256.Seal(publicKey[..64], Info, Aad, Message));

        (byte[] enc, byte[] ciphertext) = HpkeP256.Seal(publicKey, Info, Aad, Message);
        using var p384 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => HpkeP256.Open(p384, enc, Info, Aad, ciphertext));
        Assert.Throws<ArgumentException>(() => HpkeP256.SerializePublicKey(p384));

        HpkeSenderContext sender = HpkeP256.SetupBaseSender(publicKey, Info);
        Assert.Throws<ArgumentOutOfRangeException>(() => sender.Export([], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sender.Export([], (255 * 32) + 1));
        Assert.Equal(255 * 32, sender.Export([], 255 * 32).Length);
        sender.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sender.Seal(Aad, Message));
        Assert.Throws<ObjectDisposedException>(() => sender.Export([], 32));
    }

    private static void AssertRefused(HpkeOpenFailure failure, Action open)
    {
        HpkeOpenException e = Assert.Throws<HpkeOpenException>(open);
        Assert.Equal(failure, e.Failure);
    }

    private static byte[] Flip(byte[] value, int index)
    {
        byte[] changed = (byte[])value.Clone();
        changed[index] ^= 0x01;
        return changed;
    }

    private static byte[] Be32(BigInteger value)
    {
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return [.. new byte[32 - bytes.Length], .. bytes];
    }

    /// <summary>The point of P-256 with the smallest positive x: y = √(x³ − 3x + b), a square root as p ≡ 3 (mod 4).</summary>
    private static (BigInteger X, BigInteger Y) SmallPoint()
    {
        for (BigInteger x = 1; ; x++)
        {
            BigInteger right = BigInteger.ModPow(x, 3, P) - (3 * x) + B;
            right = ((right % P) + P) % P;
            BigInteger y = BigInteger.ModPow(right, (P + 1) / 4, P);
            if (BigInteger.ModPow(y, 2, P) == right)
            {
                return (x, y);
            }
        }
    }
}
