using OpenCkv.Crypto.Signatures;

namespace OpenCkv.Crypto.Tests;

/// <summary>ECDSA P-256/SHA-256 with SEC1 uncompressed keys and r || s signatures.</summary>
public sealed class EcdsaTests
{
    // RFC 6979 Appendix A.2.5: the P-256 key, and the SHA-256 signature of "sample".
    private static readonly byte[] Rfc6979Key = Convert.FromHexString(
        "04" + "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6" +
        "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");

    private static readonly byte[] Rfc6979Signature = Convert.FromHexString(
        "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716" +
        "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");

    private static readonly byte[] Sample = "sample"u8.ToArray();

    [Fact]
    public void The_rfc_6979_signature_verifies_and_every_flipped_bit_does_not()
    {
        using EcdsaP256PublicKey key = EcdsaP256PublicKey.Parse(Rfc6979Key);
        Assert.True(key.Verify(Sample, Rfc6979Signature));
        for (int bit = 0; bit < Rfc6979Signature.Length * 8; bit++)
        {
            byte[] flipped = (byte[])Rfc6979Signature.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(key.Verify(Sample, flipped), $"signature bit {bit}");
        }

        Assert.False(key.Verify("samplf"u8, Rfc6979Signature));
        Assert.False(key.Verify(Sample, Rfc6979Signature[..63]));
        Assert.False(key.Verify(Sample, [.. Rfc6979Signature, 0]));
    }

    [Fact]
    public void The_private_key_of_rfc_6979_derives_its_public_key()
    {
        using var key = EcdsaP256PrivateKey.Import(Convert.FromHexString("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"));
        Assert.Equal(Rfc6979Key, key.PublicKey.Encoded.ToArray());
    }

    [Fact]
    public void Sign_then_verify_round_trips_and_binds_the_message()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        byte[] signature = key.Sign("tree head"u8);
        Assert.Equal(64, signature.Length);
        Assert.True(key.PublicKey.Verify("tree head"u8, signature));
        Assert.False(key.PublicKey.Verify("tree heads"u8, signature));

        using var reloaded = EcdsaP256PrivateKey.Import(key.Export());
        Assert.True(reloaded.PublicKey.Verify("tree head"u8, reloaded.Sign("tree head"u8)));
        Assert.Equal(key.PublicKey.Encoded.ToArray(), reloaded.PublicKey.Encoded.ToArray());
    }

    [Fact]
    public void Malformed_public_keys_are_rejected()
    {
        Assert.False(EcdsaP256PublicKey.TryParse(Rfc6979Key[..64], out _));
        Assert.False(EcdsaP256PublicKey.TryParse([.. Rfc6979Key, 0], out _));
        byte[] compressed = [0x02, .. Rfc6979Key[1..33]];
        Assert.False(EcdsaP256PublicKey.TryParse(compressed, out _));
        byte[] offCurve = (byte[])Rfc6979Key.Clone();
        offCurve[64] ^= 1;
        Assert.False(EcdsaP256PublicKey.TryParse(offCurve, out _));
        byte[] wrongPrefix = (byte[])Rfc6979Key.Clone();
        wrongPrefix[0] = 0x06;
        Assert.False(EcdsaP256PublicKey.TryParse(wrongPrefix, out _));
        Assert.Throws<ArgumentException>(() => EcdsaP256PrivateKey.Import(new byte[32]));
    }

    [Fact]
    public void The_cheap_encoding_check_agrees_with_importing_the_key_on_valid_and_corrupted_points()
    {
        var random = new Random(20261128);
        for (int i = 0; i < 200; i++)
        {
            using var key = EcdsaP256PrivateKey.Generate();
            byte[] encoded = key.PublicKey.Encoded.ToArray();
            Assert.True(EcdsaP256PublicKey.IsValidEncoding(encoded));

            byte[] corrupted = [.. encoded];
            corrupted[1 + random.Next(64)] ^= (byte)(1 << random.Next(8));
            bool imports = EcdsaP256PublicKey.TryParse(corrupted, out EcdsaP256PublicKey? parsed);
            parsed?.Dispose();
            Assert.Equal(imports, EcdsaP256PublicKey.IsValidEncoding(corrupted));
        }

        // Coordinates at or above p, the wrong prefix, the wrong length.
        byte[] large = [0x04, .. Enumerable.Repeat((byte)0xff, 64)];
        Assert.False(EcdsaP256PublicKey.IsValidEncoding(large));
        using var valid = EcdsaP256PrivateKey.Generate();
        byte[] compressedPrefix = valid.PublicKey.Encoded.ToArray();
        compressedPrefix[0] = 0x02;
        Assert.False(EcdsaP256PublicKey.IsValidEncoding(compressedPrefix));
        Assert.False(EcdsaP256PublicKey.IsValidEncoding(valid.PublicKey.Encoded[..64]));
    }
}
