package ibkr

import "testing"

func TestDocumentKinds(t *testing.T) {
	ok := func(mod func(*DocumentSpec)) DocumentSpec {
		s := goodDocSpec()
		s.ExpirationDate = s.ExecutedAt.AddDate(5, 0, 0)
		mod(&s)
		return s
	}
	yes := true
	for name, s := range map[string]DocumentSpec{
		"income pay slip": ok(func(s *DocumentSpec) {
			s.FormNumber, s.ProofOfIdentityType, s.DocumentType = FormSOWIncome, "", "Pay Slip"
		}),
		"inheritance will": ok(func(s *DocumentSpec) {
			s.FormNumber, s.ProofOfIdentityType, s.DocumentType = FormSOWInheritance, "", "Will"
		}),
		"selfie passport":        ok(func(s *DocumentSpec) { s.FormNumber = FormSelfie }),
		"driver license address": ok(func(s *DocumentSpec) { s.ProofOfIdentityType, s.ValidAddress = "Driver License", &yes }),
		"other form, any type":   ok(func(s *DocumentSpec) { s.FormNumber, s.ProofOfIdentityType, s.DocumentType = 4155, "", "Letter" }),
	} {
		if _, err := NewDocument(s, testPDF); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, s := range map[string]DocumentSpec{
		"income will": ok(func(s *DocumentSpec) { s.FormNumber, s.ProofOfIdentityType, s.DocumentType = FormSOWIncome, "", "Will" }),
		"property pay slip": ok(func(s *DocumentSpec) {
			s.FormNumber, s.ProofOfIdentityType, s.DocumentType = FormSOWProperty, "", "Pay Slip"
		}),
		"selfie driver license":   ok(func(s *DocumentSpec) { s.FormNumber, s.ProofOfIdentityType = FormSelfie, "Driver License" }),
		"passport proves address": ok(func(s *DocumentSpec) { s.ValidAddress = &yes }),
		"address form validAddress": ok(func(s *DocumentSpec) {
			s.FormNumber, s.ProofOfIdentityType, s.ProofOfAddressType, s.ValidAddress = FormProofOfAddress, "", "Utility Bill", &yes
		}),
	} {
		_, err := NewDocument(s, testPDF)
		wantErr(t, err, ErrDocument)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
