using System.Security.Cryptography;

namespace OpenCkv.Crypto.Signatures;

/// <summary>An ECDSA P-256 / SHA-256 signing key (KT §17.1). Signatures are r || s, 64 bytes.</summary>
public sealed class EcdsaP256PrivateKey : IDisposable
{
    /// <summary>Size of the exported private scalar.</summary>
    public const int ScalarSize = 32;

    private readonly ECDsa _key;

    private EcdsaP256PrivateKey(ECDsa key)
    {
        _key = key;
        PublicKey = EcdsaP256PublicKey.FromKey(key);
    }

    /// <summary>The matching verification key.</summary>
    public EcdsaP256PublicKey PublicKey { get; }

    /// <summary>Generates a fresh key.</summary>
    public static EcdsaP256PrivateKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a key from its 32-byte big-endian private scalar.</summary>
    /// <exception cref="ArgumentException">The scalar is not a valid P-256 private key.</exception>
    public static EcdsaP256PrivateKey Import(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != ScalarSize)
        {
            throw new ArgumentException("A P-256 private key is 32 bytes.", nameof(scalar));
        }

        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = scalar.ToArray() };
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportParameters(parameters);
        }
        catch (CryptographicException e)
        {
            ecdsa.Dispose();
            throw new ArgumentException("Not a valid P-256 private key.", nameof(scalar), e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }

        return new EcdsaP256PrivateKey(ecdsa);
    }

    /// <summary>Copies the private scalar out, for writing it to a key file.</summary>
    public byte[] Export() => _key.ExportParameters(includePrivateParameters: true).D!;

    /// <summary>Signs SHA-256(<paramref name="data"/>); returns r || s.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) =>
        _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <inheritdoc />
    public void Dispose()
    {
        _key.Dispose();
        PublicKey.Dispose();
    }
}
