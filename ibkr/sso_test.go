package ibkr

import (
	"errors"
	"net/url"
	"testing"
)

const testSessionURL = "https://www.clientam.com/sso/resolver?SID=ab%2Bc/d+e=="

func TestDeepLinkApply(t *testing.T) {
	tests := []struct {
		name string
		link DeepLink
		want string
	}{
		{"statements", DeepLink{Page: LandingStatements}, testSessionURL + "&ACTION=Statement"},
		{"trading permissions", DeepLink{Page: LandingAccountSettings, Settings: SettingsTradingPermissions},
			testSessionURL + "&ACTION=AccountSettings&config=TradingPermissions"},
		{"ach deposit page", DeepLink{Page: LandingACHDeposit}, testSessionURL + "&ACTION=ACHDeposits"},
		{"ach withdrawal page", DeepLink{Page: LandingACHWithdrawal}, testSessionURL + "&ACTION=ACHWithdrawals"},
		{"transfer ach deposit", DeepLink{Page: LandingTransferFunds, Method: PortalACH, Direction: PortalDeposit, Currency: USD},
			testSessionURL + "&ACTION=TransferFunds&currency=USD&method=ACH&type=DEPOSIT"},
		{"transfer eft withdrawal", DeepLink{Page: LandingTransferFunds, Method: PortalEFT, Direction: PortalWithdrawal, Currency: CAD},
			testSessionURL + "&ACTION=TransferFunds&currency=CAD&method=EFT&type=WITHDRAWAL"},
		{"transfer all saved deposits", DeepLink{Page: LandingTransferFunds, Direction: PortalDeposit, Currency: USD},
			testSessionURL + "&ACTION=TransferFunds&currency=USD&type=DEPOSIT"},
		{"auto select", DeepLink{Page: LandingTransferFunds, AutoSelect: "U1234567"},
			testSessionURL + "&ACTION=TransferFunds&autoSelect=U1234567&noPickerClear=T"},
		{"other documented page", DeepLink{Page: "RM_ACCOUNT_CONFIRMATION_LETTER"}, testSessionURL + "&ACTION=RM_ACCOUNT_CONFIRMATION_LETTER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.link.Apply(testSessionURL)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Apply = %s\nwant    %s", got, tt.want)
			}
			u, _ := url.Parse(got)
			if u.Query().Get("SID") != "ab+c/d e==" {
				t.Errorf("SID altered: %q", u.Query().Get("SID"))
			}
		})
	}
	got, err := DeepLink{Page: LandingStatements}.Apply("https://www.clientam.com/sso/resolver")
	if err != nil || got != "https://www.clientam.com/sso/resolver?ACTION=Statement" {
		t.Errorf("no query: %s, %v", got, err)
	}
}

func TestDeepLinkRefusals(t *testing.T) {
	tests := []struct {
		name  string
		link  DeepLink
		url   string
		field string
	}{
		{"no page", DeepLink{}, testSessionURL, "ACTION"},
		{"injected page", DeepLink{Page: "Statement&SID=x"}, testSessionURL, "ACTION"},
		{"settings missing", DeepLink{Page: LandingAccountSettings}, testSessionURL, "config"},
		{"settings wrong page", DeepLink{Page: LandingStatements, Settings: SettingsProfile}, testSessionURL, "config"},
		{"settings injected", DeepLink{Page: LandingAccountSettings, Settings: "Profile#x"}, testSessionURL, "config"},
		{"method wrong page", DeepLink{Page: LandingStatements, Method: PortalACH}, testSessionURL, "method"},
		{"currency wrong page", DeepLink{Page: LandingACHDeposit, Currency: USD}, testSessionURL, "method"},
		{"method unknown", DeepLink{Page: LandingTransferFunds, Method: "SEPA"}, testSessionURL, "method"},
		{"direction unknown", DeepLink{Page: LandingTransferFunds, Direction: "deposit"}, testSessionURL, "type"},
		{"currency unknown", DeepLink{Page: LandingTransferFunds, Currency: "XXX"}, testSessionURL, "currency"},
		{"auto select bad", DeepLink{Page: LandingTransferFunds, AutoSelect: "me"}, testSessionURL, "autoSelect"},
		{"http url", DeepLink{Page: LandingStatements}, "http://www.clientam.com/sso/resolver?SID=1", "url"},
		{"relative url", DeepLink{Page: LandingStatements}, "/sso/resolver?SID=1", "url"},
		{"userinfo", DeepLink{Page: LandingStatements}, "https://u:p@www.clientam.com/sso?SID=1", "url"},
		{"garbage url", DeepLink{Page: LandingStatements}, "https://%zz", "url"},
		{"action already set", DeepLink{Page: LandingStatements}, testSessionURL + "&action=Home", "url"},
		{"malformed query", DeepLink{Page: LandingStatements}, "https://www.clientam.com/sso?SID=%zz", "url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.link.Apply(tt.url)
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("err = %v, want an InputError", err)
			}
			if ie.Field != tt.field {
				t.Errorf("Field = %q, want %q (%v)", ie.Field, tt.field, err)
			}
		})
	}
}

func TestValidateSSOSession(t *testing.T) {
	for _, ip := range []string{"206.106.137.230", "2001:4860:4860::8888", "::ffff:206.106.137.230"} {
		if err := ValidateSSOSession("potest123", ip); err != nil {
			t.Errorf("ValidateSSOSession(%s) = %v", ip, err)
		}
	}
	bad := []struct{ cred, ip, field string }{
		{"", "206.106.137.230", "credential"},
		{"po test", "206.106.137.230", "credential"},
		{"potest123", "", "ip"},
		{"potest123", "206.106.137.230:443", "ip"},
		{"potest123", "not-an-ip", "ip"},
		{"potest123", "10.0.0.7", "ip"},
		{"potest123", "192.168.1.20", "ip"},
		{"potest123", "127.0.0.1", "ip"},
		{"potest123", "::1", "ip"},
		{"potest123", "0.0.0.0", "ip"},
		{"potest123", "169.254.1.1", "ip"},
		{"potest123", "fe80::1%eth0", "ip"},
		{"potest123", "::ffff:10.1.2.3", "ip"},
		{"potest123", "224.0.0.1", "ip"},
	}
	for _, tt := range bad {
		err := ValidateSSOSession(tt.cred, tt.ip)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, ErrDeepLink) {
			t.Errorf("ValidateSSOSession(%q, %q) = %v, want field %s", tt.cred, tt.ip, err, tt.field)
		}
	}
}
