// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title A toy marketplace: the custom (non-token) contract blockwire's projection tests follow.
/// @notice Listings are bookkeeping only (no assets or payment move), so any account can list, reprice,
///         buy and cancel freely. The view functions return exactly the state the projections of
///         examples/blockwire.yaml compute from the events, so tests can compare the two.
contract Market {
    struct Listing {
        bool exists;
        address seller;
        uint256 price;
        bool active;
        address buyer;
        uint256 volume;
        uint256 listedAt;
    }

    struct SellerStats {
        uint256 listings;
        uint256 sales;
        uint256 volume;
    }

    uint256 public nextListingId = 1;
    mapping(uint256 => Listing) private _listings;
    mapping(address => SellerStats) private _stats;

    event Listed(uint256 indexed listingId, address indexed seller, uint256 price);
    event PriceChanged(uint256 indexed listingId, uint256 newPrice);
    event Sold(uint256 indexed listingId, address indexed buyer, address indexed seller, uint256 price);
    event Cancelled(uint256 indexed listingId);

    function list(uint256 price) external returns (uint256 listingId) {
        listingId = nextListingId++;
        _listings[listingId] = Listing(true, msg.sender, price, true, address(0), 0, block.timestamp);
        _stats[msg.sender].listings += 1;
        emit Listed(listingId, msg.sender, price);
    }

    function changePrice(uint256 listingId, uint256 newPrice) external {
        Listing storage item = _listings[listingId];
        require(item.exists && item.active, "not listed");
        item.price = newPrice;
        emit PriceChanged(listingId, newPrice);
    }

    function buy(uint256 listingId) external {
        Listing storage item = _listings[listingId];
        require(item.exists && item.active, "not listed");
        item.active = false;
        item.buyer = msg.sender;
        item.volume += item.price;
        _stats[item.seller].sales += 1;
        _stats[item.seller].volume += item.price;
        emit Sold(listingId, msg.sender, item.seller, item.price);
    }

    function cancel(uint256 listingId) external {
        Listing storage item = _listings[listingId];
        require(item.exists && item.active, "not listed");
        delete _listings[listingId];
        emit Cancelled(listingId);
    }

    function listing(uint256 listingId) external view returns (Listing memory) {
        return _listings[listingId];
    }

    function sellerStats(address seller) external view returns (SellerStats memory) {
        return _stats[seller];
    }
}
