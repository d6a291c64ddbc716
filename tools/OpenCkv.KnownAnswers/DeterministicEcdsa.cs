using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace OpenCkv.KnownAnswers;

/// <summary>
/// RFC 6979 deterministic ECDSA P-256/SHA-256 (BouncyCastle), so that signed structures in the known-answer files
/// regenerate bit for bit. Only the generator uses it; the log signs with the BCL.
/// </summary>
public static class DeterministicEcdsa
{
    private static readonly ECDomainParameters Domain = new(Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256r1"));

    public static byte[] Sign(byte[] privateScalar, byte[] message)
    {
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(new BigInteger(1, privateScalar), Domain));
        byte[] digest = System.Security.Cryptography.SHA256.HashData(message);
        BigInteger[] rs = signer.GenerateSignature(digest);
        var signature = new byte[64];
        rs[0].ToByteArrayUnsigned().CopyTo(signature, 32 - rs[0].ToByteArrayUnsigned().Length);
        rs[1].ToByteArrayUnsigned().CopyTo(signature, 64 - rs[1].ToByteArrayUnsigned().Length);
        return signature;
    }
}
