import Crypto
import Foundation

/// Twilio's webhook signature (G9): the base64 HMAC-SHA1, keyed with the auth
/// token, of the full URL the provider called followed by each POST
/// parameter's name and value, sorted by name.
public enum TwilioSignature {
    public static func compute(authToken: String, url: String, parameters: [(String, String)]) -> String {
        var payload = url
        for (name, value) in parameters.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) {
            payload += name + value
        }
        let key = SymmetricKey(data: Data(authToken.utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(payload.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// Whether `signature` is right for this request, compared in constant time.
    public static func isValid(signature: String?, authToken: String, url: String, parameters: [(String, String)]) -> Bool {
        guard let signature, !signature.isEmpty else { return false }
        let expected = Array(compute(authToken: authToken, url: url, parameters: parameters).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }
}
