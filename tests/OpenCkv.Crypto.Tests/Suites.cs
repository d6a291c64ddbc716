namespace OpenCkv.Crypto.Tests;

/// <summary>Every crypto path available on this machine, so each known-answer test runs against all of them.</summary>
public static class Suites
{
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string> { nameof(CryptoPath.Portable) };
        if (CryptoSuite.Native is not null)
        {
            data.Add(nameof(CryptoPath.Native));
        }

        return data;
    }

    public static CryptoSuite Get(string path) => path switch
    {
        nameof(CryptoPath.Portable) => CryptoSuite.Portable,
        nameof(CryptoPath.Native) => CryptoSuite.Native ?? throw new InvalidOperationException("libcrypto is not loadable here."),
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };
}
