using CsCheck;
using OpenCkv.Crypto.Vrf;

namespace OpenCkv.Crypto.Tests;

/// <summary>The native and portable paths agree on random keys and inputs, and each verifies the other's proofs.</summary>
public sealed class EcVrfPropertyTests
{
    [Fact]
    public void Native_and_portable_paths_produce_identical_keys_proofs_and_outputs()
    {
        CryptoSuite? native = CryptoSuite.Native;
        if (native is null)
        {
            // Only one path exists on a machine without libcrypto; make sure that is really the case.
            Assert.Null(Native.LibCrypto.Instance);
            return;
        }

        EcVrfP256 portable = CryptoSuite.Portable.Vrf;

        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[0, 80]).Sample((seed, alpha) =>
        {
            using VrfKeyPair keyN = native.Vrf.ImportSecretKey(ToSecretKey(seed));
            using VrfKeyPair keyP = portable.ImportSecretKey(keyN.ExportSecretKey());
            Assert.Equal(keyN.PublicKey.ToArray(), keyP.PublicKey.ToArray());

            byte[] proofN = native.Vrf.Prove(keyN, alpha);
            byte[] proofP = portable.Prove(keyP, alpha);
            Assert.Equal(proofN, proofP);

            var outN = new byte[32];
            var outP = new byte[32];
            var evaluated = new byte[32];
            Assert.True(native.Vrf.TryVerify(keyP.PublicKey, alpha, proofP, outN));
            Assert.True(portable.TryVerify(keyN.PublicKey, alpha, proofN, outP));
            portable.Evaluate(keyP, alpha, evaluated);
            Assert.Equal(outN, outP);
            Assert.Equal(outN, evaluated);
        }, iter: 40);
    }

    /// <summary>Maps 32 random bytes into [1, q − 1] by clearing the top bit and setting the lowest.</summary>
    internal static byte[] ToSecretKey(byte[] seed)
    {
        byte[] key = (byte[])seed.Clone();
        key[0] &= 0x7f;
        key[31] |= 0x01;
        return key;
    }
}
