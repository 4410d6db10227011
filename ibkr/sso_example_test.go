package ibkr_test

import (
	"fmt"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// Deep links into the Client Portal: the SSO session's single-use URL
// gets the landing page's parameters, its own SID left untouched.
func ExampleDeepLink_Apply() {
	// The url of IBKR's answer to POST /gw/api/v1/sso-browser-sessions.
	session := "https://www.clientam.com/sso/resolver?SID=3f9a0c"

	for _, link := range []ibkr.DeepLink{
		{Page: ibkr.LandingStatements},
		{Page: ibkr.LandingAccountSettings, Settings: ibkr.SettingsTradingPermissions},
		{Page: ibkr.LandingTransferFunds, Method: ibkr.PortalACH, Direction: ibkr.PortalDeposit, Currency: ibkr.USD},
		{Page: ibkr.LandingTransferFunds, Method: ibkr.PortalACH, Direction: ibkr.PortalWithdrawal, Currency: ibkr.USD},
		{Page: ibkr.LandingStatements, Method: ibkr.PortalACH},
	} {
		u, err := link.Apply(session)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(u)
	}
	// Output:
	// https://www.clientam.com/sso/resolver?SID=3f9a0c&ACTION=Statement
	// https://www.clientam.com/sso/resolver?SID=3f9a0c&ACTION=AccountSettings&config=TradingPermissions
	// https://www.clientam.com/sso/resolver?SID=3f9a0c&ACTION=TransferFunds&currency=USD&method=ACH&type=DEPOSIT
	// https://www.clientam.com/sso/resolver?SID=3f9a0c&ACTION=TransferFunds&currency=USD&method=ACH&type=WITHDRAWAL
	// ibkr: invalid method: method, type and currency go with LandingTransferFunds only
}
